// Reads calendars the way a web calendar built on ical.js does, and prints when each timed event happens.
//
// Input (stdin): a JSON list of .ics file paths. Output (stdout): a JSON object, for each path an object
// {UID: {"start": ..., "end": ..., "tzid": ...}} with start and end as seconds since the epoch (UTC) as
// ical.js computes them from the calendar's own VTIMEZONE, end null when the event has no DTEND;
// all-day events are left out. Exits non-zero, with the reason on stderr, on anything it cannot read.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function instant(vevent, name, path) {
  const property = vevent.getFirstProperty(name);
  if (property === null) {
    return null;
  }
  const time = property.getFirstValue();
  const zone = time.zone;
  // A TZID the calendar does not define would leave the time floating: never accept that silently.
  if (!zone || !zone.component || zone.tzid !== property.getParameter("tzid")) {
    const uid = vevent.getFirstPropertyValue("uid");
    throw new Error(`${path}: ${uid}: ${name} ${time.toString()} is not tied to a VTIMEZONE of the calendar`);
  }
  return { seconds: time.toUnixTime(), tzid: zone.tzid };
}

const paths = JSON.parse(readFileSync(0, "utf8"));
const result = {};
for (const path of paths) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  const events = {};
  for (const vevent of calendar.getAllSubcomponents("vevent")) {
    if (vevent.getFirstPropertyValue("dtstart").isDate) {
      continue;
    }
    const start = instant(vevent, "dtstart", path);
    const end = instant(vevent, "dtend", path);
    events[vevent.getFirstPropertyValue("uid")] = { start: start.seconds, end: end && end.seconds, tzid: start.tzid };
  }
  result[path] = events;
}
process.stdout.write(JSON.stringify(result));
