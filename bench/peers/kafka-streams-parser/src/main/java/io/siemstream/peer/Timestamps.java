package io.siemstream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** src/stages/parser/time.ts: a timestamp in the styles security logs use, as epoch milliseconds. */
final class Timestamps {
  private Timestamps() {}

  private static final long MAX_MILLIS = 253_402_300_799_999L;
  private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final String S = Js.SPACE_CLASS;

  // the TypeScript expressions, with JavaScript's \s and an end that is the end of the input
  private static final Pattern ISO = Pattern.compile(
      "^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?" + S + "*(Z|UTC|GMT|[+-]\\d{2}(?::?\\d{2})?)?\\z",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern MONTH_DAY = Pattern.compile(
      "^([A-Za-z]{3})" + S + "+(\\d{1,2})(?:" + S + "+(\\d{4}))?" + S + "+(\\d{1,2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(?:" + S
          + "+(Z|UTC|GMT(?:[+-]\\d{2}:?\\d{2})?|[+-]\\d{2}:?\\d{2}))?\\z");
  private static final Pattern CLF = Pattern.compile(
      "^(\\d{1,2})/([A-Za-z]{3})/(\\d{4}):(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?" + S + "*([+-]\\d{4})?\\z");
  private static final Pattern EPOCH = Pattern.compile("^\\d+(\\.\\d+)?\\z");
  private static final Pattern UTC_NAME = Pattern.compile("^(Z|UTC|GMT)\\z", Pattern.CASE_INSENSITIVE);
  private static final Pattern OFFSET = Pattern.compile("^(?:GMT)?([+-])(\\d{2}):?(\\d{2})?\\z", Pattern.CASE_INSENSITIVE);

  /** toTimestampMillis(value, field) with no options (what the JSON and CloudTrail formats call). */
  static long toTimestampMillis(JsonNode value, String field) {
    Double millis = parseTimestamp(value);
    if (millis == null || Double.isNaN(millis) || Double.isInfinite(millis) || millis < 0 || millis > MAX_MILLIS) {
      throw FieldValues.recordInvalid(field, "a timestamp (ISO 8601, RFC 3164, CLF or epoch seconds/ms/µs/ns) between 1970 and 9999", value);
    }
    return (long) (double) millis;
  }

  /** parseOffset: "+02:00", "-0530", "Z" → minutes east of UTC; null when the text is no offset. */
  static Integer parseOffset(String text) {
    if (UTC_NAME.matcher(text).find()) return 0;
    Matcher m = OFFSET.matcher(text);
    if (!m.find()) return null;
    int hours = Integer.parseInt(m.group(2));
    int mins = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    if (hours > 18 || mins > 59) return null;
    int minutes = hours * 60 + mins;
    return m.group(1).equals("-") ? -minutes : minutes;
  }

  private static Double parseTimestamp(JsonNode value) {
    if (value == null) return null;
    if (value.isNumber()) return fromEpoch(value.doubleValue());
    if (!value.isTextual()) return null;
    String text = Js.trim(value.textValue());
    if (EPOCH.matcher(text).find()) return fromEpoch(Js.stringToNumber(text));
    int offset = 0; // options.defaultOffsetMinutes ?? 0
    Matcher m = ISO.matcher(text);
    if (m.find()) {
      Integer zone = m.group(8) == null ? Integer.valueOf(offset) : parseOffset(m.group(8));
      return zone == null ? null : civil(num(m.group(1)), num(m.group(2)), num(m.group(3)), num(m.group(4)), num(m.group(5)), num(m.group(6)), m.group(7), zone);
    }
    m = MONTH_DAY.matcher(text);
    if (m.find()) {
      int month = monthOf(m.group(1));
      Integer zone = m.group(8) == null ? Integer.valueOf(offset) : parseOffset(m.group(8));
      if (month == 0 || zone == null) return null;
      final Matcher g = m;
      final int z = zone;
      java.util.function.IntFunction<Double> at = (y) -> civil(y, month, num(g.group(2)), num(g.group(4)), num(g.group(5)), num(g.group(6)), g.group(7), z);
      return m.group(3) == null ? nearestYear(at, System.currentTimeMillis()) : at.apply(num(m.group(3)));
    }
    m = CLF.matcher(text);
    if (m.find()) {
      int month = monthOf(m.group(2));
      Integer zone = m.group(8) == null ? Integer.valueOf(offset) : parseOffset(m.group(8));
      if (month == 0 || zone == null) return null;
      return civil(num(m.group(3)), month, num(m.group(1)), num(m.group(4)), num(m.group(5)), num(m.group(6)), m.group(7), zone);
    }
    return null;
  }

  private static int num(String part) {
    return part == null ? 0 : Integer.parseInt(part);
  }

  private static int monthOf(String name) {
    return MONTHS.indexOf(name.toLowerCase(Locale.ROOT)) + 1;
  }

  /** Epoch numbers by magnitude: seconds, milliseconds, microseconds, nanoseconds. */
  private static Double fromEpoch(double n) {
    if (Double.isNaN(n) || Double.isInfinite(n) || n < 0) return null;
    if (n < 1e11) return (double) jsRound(n * 1000);
    if (n < 1e14) return (double) jsRound(n);
    if (n < 1e17) return Math.floor(n / 1e3);
    return Math.floor(n / 1e6);
  }

  /** Math.round: the closest integer, halves towards +∞ (Java's Math.round(double) has the same rule). */
  private static double jsRound(double x) {
    return Math.round(x);
  }

  private static Double civil(int y, int mo, int d, int h, int mi, int s, String fraction, int offsetMinutes) {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
    double ms = fraction == null || fraction.isEmpty() ? 0 : Math.floor(Double.parseDouble("0." + fraction) * 1000);
    // Date.UTC: a year 0-99 means 1900-1999, and days past the month's end roll into the next
    int year = y <= 99 ? 1900 + y : y;
    long day = LocalDate.of(year, mo, 1).toEpochDay() + d - 1;
    long millis = day * 86_400_000L + h * 3_600_000L + mi * 60_000L + Math.min(s, 59) * 1000L + (long) ms;
    // Date.UTC rolls 31 Feb into March; a real log never writes that, so it is rejected
    if (LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L)).getDayOfMonth() != d) return null;
    return (double) (millis - offsetMinutes * 60_000L);
  }

  /** RFC 3164 has no year: the year that puts the event closest before it was received (a day of skew allowed). */
  private static Double nearestYear(java.util.function.IntFunction<Double> at, long reference) {
    int year = LocalDate.ofEpochDay(Math.floorDiv(reference, 86_400_000L)).getYear();
    List<Double> candidates = new ArrayList<>();
    for (int y : new int[] {year - 1, year, year + 1}) {
      Double t = at.apply(y);
      if (t != null && t <= reference + 86_400_000L) candidates.add(t);
    }
    candidates.sort((a, b) -> Double.compare(Math.abs(a - reference), Math.abs(b - reference)));
    return candidates.isEmpty() ? null : candidates.get(0);
  }
}
