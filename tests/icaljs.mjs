// Parse .ics files with Mozilla's ical.js (Thunderbird's parser) and print what it read as JSON.
// Usage: node icaljs.mjs FILE...  ->  {"FILE": {"name", "events": [{uid, summary, ...}]}} or {"FILE": {"error"}}
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const result = {};
for (const path of process.argv.slice(2)) {
  try {
    const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
    // Register each VTIMEZONE so times resolve through the feed's own zone definitions, as a client does.
    for (const zone of calendar.getAllSubcomponents("vtimezone")) {
      const tz = new ICAL.Timezone(zone);
      if (!ICAL.TimezoneService.has(tz.tzid)) ICAL.TimezoneService.register(tz.tzid, tz);
    }
    const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
      const event = new ICAL.Event(vevent);
      return {
        uid: event.uid,
        summary: event.summary,
        description: event.description,
        location: event.location,
        sequence: event.sequence,
        status: vevent.getFirstPropertyValue("status"),
        all_day: event.startDate.isDate,
        start: event.startDate.toString(),
        start_unix: event.startDate.isDate ? null : event.startDate.toUnixTime(),
        end_unix: event.endDate.isDate ? null : event.endDate.toUnixTime(),
        property_names: vevent.getAllProperties().map((p) => p.name),
      };
    });
    result[path] = {
      name: calendar.getFirstPropertyValue("name"),
      x_wr_calname: calendar.getFirstPropertyValue("x-wr-calname"),
      timezones: calendar.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
      events,
    };
  } catch (error) {
    result[path] = { error: String(error) };
  }
}
process.stdout.write(JSON.stringify(result));
