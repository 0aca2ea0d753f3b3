// Reads one iCalendar object on stdin with ical.js, an implementation
// independent of detente's, and prints what it understood as JSON: the
// calendar's properties and, per event, the properties a calendar program
// acts on, with start and end as UTC instants computed by ical.js from
// the calendar's own VTIMEZONE definitions. Any parse error exits 1.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const text = readFileSync(0, "utf8");
const root = new ICAL.Component(ICAL.parse(text));
if (root.name !== "vcalendar") {
  throw new Error(`top-level component is ${root.name}, not VCALENDAR`);
}

// The zones the calendar defines, registered so that TZID parameters
// resolve to them and not to anything ical.js might know by itself.
const zones = [];
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
  zones.push(tz.tzid);
}

const when = (prop) => {
  if (!prop) return null;
  const t = prop.getFirstValue();
  const tzid = prop.getParameter("tzid") || null;
  if (tzid && !zones.includes(tzid)) {
    throw new Error(`TZID ${tzid} has no VTIMEZONE in the calendar`);
  }
  if (tzid) t.zone = ICAL.TimezoneService.get(tzid);
  return {
    tzid,
    local: t.toString(),
    utc: new Date(t.toUnixTime() * 1000).toISOString(),
  };
};

const events = root.getAllSubcomponents("vevent").map((ve) => {
  const ev = new ICAL.Event(ve);
  const organizer = ve.getFirstProperty("organizer");
  return {
    uid: ev.uid,
    sequence: ev.sequence,
    summary: ev.summary,
    description: ev.description || "",
    location: ev.location || "",
    status: ve.getFirstPropertyValue("status") || "",
    url: ve.getFirstPropertyValue("url") || "",
    dtstamp: ve.getFirstPropertyValue("dtstamp")?.toString() || "",
    start: when(ve.getFirstProperty("dtstart")),
    end: when(ve.getFirstProperty("dtend")),
    organizer: organizer
      ? { value: organizer.getFirstValue(), cn: organizer.getParameter("cn") || "" }
      : null,
    attendees: ve.getAllProperties("attendee").map((a) => ({
      value: a.getFirstValue(),
      cn: a.getParameter("cn") || "",
      partstat: a.getParameter("partstat") || "",
      rsvp: a.getParameter("rsvp") || "",
    })),
  };
});

process.stdout.write(
  JSON.stringify({
    version: root.getFirstPropertyValue("version"),
    prodid: root.getFirstPropertyValue("prodid"),
    method: root.getFirstPropertyValue("method") || "",
    name: root.getFirstPropertyValue("x-wr-calname") || "",
    zones,
    events,
  }) + "\n",
);
