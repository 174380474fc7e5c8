package io.siemstream.peer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * src/stages/parser/normalize.ts and parser-stage.ts parseRecord: a raw record → the normalized
 * event (key EntityKey, Avro value, the raw headers plus siem.event.id), or its dead letter
 * (src/kafka/dlq.ts dlqMessage). One per stream task; not thread-safe.
 */
final class Normalizer {
  static final String EVENT_SCHEMA_VERSION = "0.2";
  static final String STAGE = "parser";

  /** Where a raw record came from (src/schemas/raw-record.ts RAW_HEADER). */
  static final String H_LOG_TYPE = "siem.log.type";
  static final String H_BUCKET = "siem.s3.bucket";
  static final String H_KEY = "siem.s3.key";
  static final String H_ETAG = "siem.s3.etag";
  static final String H_RECORD = "siem.s3.record";
  static final String H_REINGEST = "siem.s3.reingest";

  /** What one raw record becomes: an event for the normalized topic or a dead letter. */
  record Outcome(boolean event, byte[] key, byte[] value, Headers headers) {}

  private final Map<String, LogType> logTypes;
  private final Map<String, List<String>> entityKeys;
  private final AvroWire wire;
  private final Schema schema;
  private final MessageDigest sha256;

  Normalizer(Map<String, LogType> logTypes, Map<String, List<String>> entityKeys, AvroWire wire) {
    this.logTypes = logTypes;
    this.entityKeys = entityKeys;
    this.wire = wire;
    this.schema = wire.schema;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Outcome process(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, Headers raw) {
    Map<String, String> headers = readHeaders(raw);
    try {
      GenericData.Record event = normalize(topic, partition, offset, value, headers);
      String entityKey = (String) event.get("EntityKey");
      String eventId = (String) event.get("EventId");
      Map<String, String> out = new LinkedHashMap<>(headers);
      out.put("siem.event.id", eventId);
      return new Outcome(true, Js.utf8(entityKey), wire.encode(event), toKafka(out));
    } catch (RecordFault fault) {
      return new Outcome(false, key, value, toKafka(deadLetterHeaders(headers, fault, topic, partition, offset, timestamp)));
    }
  }

  private GenericData.Record normalize(String topic, int partition, long offset, byte[] value, Map<String, String> h) {
    String logTypeName = h.get(H_LOG_TYPE);
    LogType logType = logTypeName == null ? null : logTypes.get(logTypeName);
    if (logTypeName == null || logTypeName.isEmpty() || logType == null) {
      throw RecordFault.invalid("unknown log type header \"" + (logTypeName == null ? "(missing)" : logTypeName) + "\"");
    }
    if (value == null || value.length == 0) throw RecordFault.unparseable("record has no value");
    String bucket = h.getOrDefault(H_BUCKET, "");
    String key = h.getOrDefault(H_KEY, "");
    String objectId = bucket + "/" + key;
    Map<String, Object> fields = logType.format.equals("json") ? Formats.parseJson(value, logType) : Formats.parseCloudTrail(value);
    String schemaName = logType.eventSchema != null ? logType.eventSchema : fields.get("EventSchema") instanceof String s ? s : "Event";
    String recordHeader = h.get(H_RECORD);
    double recordNumber = recordHeader == null ? -1 : Js.stringToNumber(recordHeader);
    List<String> order = logType.entityKey != null ? logType.entityKey : entityKeys.get(schemaName);
    if (order == null) throw new IllegalStateException("no parser.entityKeys for " + schemaName);

    GenericData.Record event = new GenericData.Record(schema);
    event.put("EventId", eventIdOf(topic, partition, offset, h));
    event.put("EventSchema", schemaName);
    event.put("EventSchemaVersion", EVENT_SCHEMA_VERSION);
    event.put("TimeGenerated", fields.get("TimeGenerated"));
    event.put("EventType", schemaName);
    event.put("EventProduct", logType.product);
    event.put("EventVendor", logType.vendor);
    event.put("EntityKey", entityKey(fields, order, objectId));
    event.put("LogType", logTypeName);
    event.put("SourceBucket", bucket);
    event.put("SourceKey", key);
    event.put("SourceRecordNumber", Js.isSafeInteger(recordNumber) ? (long) recordNumber : -1L);
    event.put("AdditionalFields", new LinkedHashMap<String, String>());
    // copy only what the format filled
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (e.getValue() != null && schema.getField(e.getKey()) != null) event.put(e.getKey(), e.getValue());
    }
    event.put("EventSchema", schemaName);
    return event;
  }

  /** `<Field>:<value>` of the first present field, else `none:<bucket/key>`. */
  private static String entityKey(Map<String, Object> fields, List<String> order, String objectId) {
    for (String name : order) {
      Object value = fields.get(name);
      if (value != null && !"".equals(value)) return name + ":" + value;
    }
    return "none:" + objectId;
  }

  /** src/schemas/event-id.ts: from the S3 position when the source wrote it, else the Kafka coordinates. */
  private String eventIdOf(String topic, int partition, long offset, Map<String, String> h) {
    String bucket = h.get(H_BUCKET);
    String key = h.get(H_KEY);
    String etag = h.get(H_ETAG);
    String record = h.get(H_RECORD);
    if (bucket != null && key != null && etag != null && record != null) {
      String reingest = h.get(H_REINGEST);
      return uuidOf("s3", bucket, key, etag, record, reingest == null ? "" : reingest);
    }
    return uuidOf(topic, Integer.toString(partition), Long.toString(offset));
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private String uuidOf(String... parts) {
    byte[] digest = sha256.digest(Js.utf8(String.join("\u0000", parts)));
    char[] hex = new char[64];
    for (int i = 0; i < 32; i++) {
      hex[2 * i] = HEX[(digest[i] >> 4) & 0xf];
      hex[2 * i + 1] = HEX[digest[i] & 0xf];
    }
    String x = new String(hex);
    char variant = HEX[(Character.digit(x.charAt(16), 16) & 0x3) | 0x8];
    return x.substring(0, 8) + "-" + x.substring(8, 12) + "-8" + x.substring(13, 16) + "-" + variant + x.substring(17, 20) + "-" + x.substring(20, 32);
  }

  /** src/kafka/headers.ts readHeaders: each header's first value, as text. */
  private static Map<String, String> readHeaders(Headers raw) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Header header : raw) {
      if (header.value() == null || out.containsKey(header.key())) continue;
      out.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return Js.inObjectOrder(out);
  }

  private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** dlqMessage: the original headers plus the context to understand and redrive the record. */
  private static Map<String, String> deadLetterHeaders(Map<String, String> headers, RecordFault fault, String topic, int partition, long offset, long timestamp) {
    Map<String, String> out = new LinkedHashMap<>(headers);
    out.put("siem.dlq.stage", STAGE);
    out.put("siem.dlq.error.code", fault.code);
    out.put("siem.dlq.error.class", "SiemStreamError");
    String message = fault.getMessage();
    out.put("siem.dlq.error.message", message.length() > 4000 ? message.substring(0, 4000) : message);
    out.put("siem.dlq.original.topic", topic);
    out.put("siem.dlq.original.partition", Integer.toString(partition));
    out.put("siem.dlq.original.offset", Long.toString(offset));
    out.put("siem.dlq.original.timestamp", Long.toString(timestamp));
    out.put("siem.dlq.attempts", "1");
    out.put("siem.dlq.failed.at", ISO_MILLIS.format(Instant.now()));
    return out;
  }

  private static Headers toKafka(Map<String, String> headers) {
    RecordHeaders out = new RecordHeaders();
    for (Map.Entry<String, String> e : Js.inObjectOrder(headers).entrySet()) out.add(e.getKey(), Js.utf8(e.getValue()));
    return out;
  }
}
