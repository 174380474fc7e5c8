package io.siemstream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One log type of the topology (topologies/default.yaml `logTypes`), as the bench hands it over in JSON. */
final class LogType {
  final String name;
  final String format;
  final String eventSchema;
  final String product;
  final String vendor;
  final List<String> entityKey;
  /** normalized field → dotted source path, in the file's order */
  final Map<String, String> fieldMap = new LinkedHashMap<>();
  final List<Map.Entry<String, String[]>> paths = new ArrayList<>();
  /** top-level source keys a mapping reads; the others go to AdditionalFields */
  final Set<String> used = new HashSet<>();

  LogType(String name, JsonNode config) {
    this.name = name;
    this.format = config.path("format").asText();
    if (!format.equals("json") && !format.equals("cloudtrail")) {
      throw new IllegalArgumentException("log type " + name + ": the Kafka Streams peer reads the json and cloudtrail formats, not " + format);
    }
    this.eventSchema = text(config.get("eventSchema"));
    this.product = text(config.get("product"));
    this.vendor = text(config.get("vendor"));
    JsonNode keys = config.get("entityKey");
    if (keys != null && keys.isArray()) {
      entityKey = new ArrayList<>();
      keys.forEach((k) -> entityKey.add(k.asText()));
    } else entityKey = null;
    JsonNode map = config.get("fieldMap");
    if (map != null) {
      map.fields().forEachRemaining((e) -> {
        fieldMap.put(e.getKey(), e.getValue().asText());
        String[] segments = e.getValue().asText().split("\\.", -1);
        paths.add(Map.entry(e.getKey(), segments));
        used.add(segments[0]);
      });
    }
  }

  private static String text(JsonNode v) {
    return v == null || v.isNull() ? null : v.asText();
  }
}
