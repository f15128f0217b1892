// Reads calendars the way a web calendar built on ical.js does, and prints each event's alarms.
//
// Input (stdin): a JSON list of .ics file paths. Output (stdout): a JSON object, for each path an object
// {UID: {"start": ..., "alarms": [...]}}: the event's start as ical.js reads it ("2026-03-23" for a day,
// epoch seconds for a time) and, for each VALARM, the seconds from that start at which it rings (negative:
// before) and its action. An alarm with an absolute TRIGGER, or related to the end, makes it exit non-zero:
// a personal feed's reminders must move with their event.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const paths = JSON.parse(readFileSync(0, "utf8"));
const result = {};
for (const path of paths) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  const events = {};
  for (const vevent of calendar.getAllSubcomponents("vevent")) {
    const uid = vevent.getFirstPropertyValue("uid");
    const start = vevent.getFirstPropertyValue("dtstart");
    const alarms = [];
    for (const valarm of vevent.getAllSubcomponents("valarm")) {
      const trigger = valarm.getFirstProperty("trigger");
      const value = trigger.getFirstValue();
      if (!(value instanceof ICAL.Duration) || (trigger.getParameter("related") || "START") !== "START") {
        throw new Error(`${path}: ${uid}: a TRIGGER that is not a duration from the start: ${trigger.toICALString()}`);
      }
      alarms.push({ seconds: value.toSeconds(), action: valarm.getFirstPropertyValue("action") });
    }
    events[uid] = { start: start.isDate ? start.toString() : start.toUnixTime(), alarms };
  }
  result[path] = events;
}
process.stdout.write(JSON.stringify(result));
