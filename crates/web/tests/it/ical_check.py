"""Reads an iCalendar feed on stdin with the `icalendar` package from PyPI (an
implementation Spire did not write) and prints what a phone would see, as
JSON: each event's start in Copenhagen time and in UTC, by the IANA zone
and by the feed's own VTIMEZONE, its status and sequence."""
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import icalendar

cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
copenhagen = ZoneInfo("Europe/Copenhagen")
zones = list(cal.walk("VTIMEZONE"))
own_zone = None
if zones and hasattr(zones[0], "to_tz"):
    own_zone = zones[0].to_tz()
out = {
    "name": str(cal.get("X-WR-CALNAME")),
    "version": str(cal.get("VERSION")),
    "timezones": [str(z["TZID"]) for z in zones],
    "events": [],
}
for event in cal.walk("VEVENT"):
    start = event.decoded("DTSTART")
    item = {
        "uid": str(event["UID"]),
        "summary": str(event["SUMMARY"]),
        "status": str(event.get("STATUS")),
        "sequence": int(event.get("SEQUENCE", 0)),
    }
    if isinstance(start, datetime):
        item["tzid"] = event["DTSTART"].params.get("TZID")
        item["local"] = start.astimezone(copenhagen).strftime("%Y-%m-%dT%H:%M")
        item["utc"] = start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
        if own_zone is not None:
            naive = start.replace(tzinfo=None)
            by_own = naive.replace(tzinfo=own_zone).astimezone(timezone.utc)
            item["utc_by_vtimezone"] = by_own.strftime("%Y-%m-%dT%H:%MZ")
        item["minutes"] = int((event.decoded("DTEND") - start).total_seconds() // 60)
    else:
        item["first_day"] = start.isoformat()
        item["end_exclusive"] = event.decoded("DTEND").isoformat()
    out["events"].append(item)
print(json.dumps(out))
