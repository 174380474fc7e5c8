package io.siemstream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The parser stage's parse hop written with Kafka Streams, for `npm run bench:parser`: raw records
 * (siem.raw.<logtype>, bytes with the S3 headers) → one processor → the normalized events topic
 * (key EntityKey, Confluent-wire Avro) or the dead-letter topic, with
 * processing.guarantee=exactly_once_v2.
 *
 * <p>The JVM stays up across the bench's rounds (its JIT warm, as a long-running Streams app's
 * would be); each round is a fresh application.id reading the raw topic from the start. The bench
 * drives it on standard input and reads its progress on standard output:
 *
 * <pre>
 *   in:  run {"applicationId":…,"inputTopics":[…],"outputTopic":…,"dlqTopic":…,"expected":N,"logTypes":[…],"streams":{…}}
 *   out: started &lt;applicationId&gt;
 *        commit &lt;System.nanoTime&gt; &lt;records in the transaction&gt; &lt;process CPU ns&gt;   (after each committed transaction)
 *        done &lt;applicationId&gt; &lt;records committed&gt;
 *        closed &lt;applicationId&gt; &lt;ms to close&gt;
 *   in:  quit
 * </pre>
 *
 * The counting is the one thing a user's app would not have: the producer Streams is given
 * counts the records processed in each transaction and reports when it commits.
 */
public final class ParserPeer {
  private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** Records processed on this stream thread since its last commit (each thread has its own producer). */
  static final ThreadLocal<long[]> PROCESSED = ThreadLocal.withInitial(() -> new long[1]);

  private ParserPeer() {}

  static synchronized void say(String line) {
    OUT.println(line);
    OUT.flush();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: ParserPeer <config.json>");
      System.exit(2);
    }
    JsonNode config = Formats.JSON.readTree(new File(args[0]));
    Schema schema = new Schema.Parser().parse(new File(config.path("schemaFile").asText()));
    int schemaId = config.path("schemaId").asInt();
    Map<String, List<String>> entityKeys = new HashMap<>();
    config.path("entityKeys").fields().forEachRemaining((e) -> {
      List<String> fields = new ArrayList<>();
      e.getValue().forEach((f) -> fields.add(f.asText()));
      entityKeys.put(e.getKey(), fields);
    });
    Map<String, LogType> allLogTypes = new LinkedHashMap<>();
    config.path("logTypes").fields().forEachRemaining((e) -> allLogTypes.put(e.getKey(), new LogType(e.getKey(), e.getValue())));
    say("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.equals("quit")) break;
      if (!line.startsWith("run ")) throw new IllegalArgumentException("unknown command: " + line);
      JsonNode run = Formats.JSON.readTree(line.substring(4));
      Map<String, LogType> known = new LinkedHashMap<>();
      run.path("logTypes").forEach((t) -> {
        LogType logType = allLogTypes.get(t.asText());
        if (logType == null) throw new IllegalArgumentException("log type " + t.asText() + " is not in the configuration");
        known.put(t.asText(), logType);
      });
      int id = run.has("schemaId") ? run.get("schemaId").asInt() : schemaId;
      runOnce(config, run, () -> new Normalizer(known, entityKeys, new AvroWire(schema, id)));
    }
    System.exit(0);
  }

  private static void runOnce(JsonNode config, JsonNode run, java.util.function.Supplier<Normalizer> normalizers) throws InterruptedException {
    String applicationId = run.path("applicationId").asText();
    long expected = run.path("expected").asLong();
    List<String> inputs = new ArrayList<>();
    run.path("inputTopics").forEach((t) -> inputs.add(t.asText()));

    Topology topology = new Topology();
    topology.addSource("raw", new ByteArrayDeserializer(), new ByteArrayDeserializer(), inputs.toArray(new String[0]));
    topology.addProcessor("parse", () -> new ParseProcessor(normalizers.get()), "raw");
    topology.addSink("normalized", run.path("outputTopic").asText(), new ByteArraySerializer(), new ByteArraySerializer(), "parse");
    topology.addSink("dlq", run.path("dlqTopic").asText(), new ByteArraySerializer(), new ByteArraySerializer(), "parse");

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.path("bootstrapServers").asText());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.path("stateDir").asText());
    // the settings under test (commit.interval.ms, num.stream.threads, client settings): StreamsConfig names
    run.path("streams").fields().forEachRemaining((e) -> props.put(e.getKey(), e.getValue().asText()));

    AtomicLong committed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    KafkaStreams streams = new KafkaStreams(topology, props, new CountingClients((n) -> {
      long total = committed.addAndGet(n);
      say("commit " + System.nanoTime() + " " + n + " " + OS.getProcessCpuTime());
      if (total >= expected) finished.countDown();
    }));
    streams.setUncaughtExceptionHandler((Throwable e) -> {
      failure.set(e);
      finished.countDown();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();
    say("started " + applicationId);
    finished.await();
    Throwable error = failure.get();
    if (error != null) {
      say("error " + applicationId + " " + String.valueOf(error).replace('\n', ' '));
    } else say("done " + applicationId + " " + committed.get());
    long closing = System.nanoTime();
    streams.close(Duration.ofSeconds(60));
    say("closed " + applicationId + " " + (System.nanoTime() - closing) / 1_000_000);
  }

  /** Raw record → normalized event or dead letter; the only processor of the topology. */
  static final class ParseProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Normalizer normalizer;
    private ProcessorContext<byte[], byte[]> context;

    ParseProcessor(Normalizer normalizer) {
      this.normalizer = normalizer;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      RecordMetadata meta = context.recordMetadata().orElseThrow();
      Normalizer.Outcome outcome =
          normalizer.process(meta.topic(), meta.partition(), meta.offset(), record.timestamp(), record.key(), record.value(), record.headers());
      context.forward(new Record<>(outcome.key(), outcome.value(), record.timestamp(), outcome.headers()), outcome.event() ? "normalized" : "dlq");
      PROCESSED.get()[0]++;
    }
  }

  /** The clients Kafka Streams would make itself, but a producer that reports each committed transaction. */
  static final class CountingClients implements KafkaClientSupplier {
    private final java.util.function.LongConsumer onCommitted;

    CountingClients(java.util.function.LongConsumer onCommitted) {
      this.onCommitted = onCommitted;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
      return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
      return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()) {
        @Override
        public void commitTransaction() {
          super.commitTransaction();
          long[] processed = PROCESSED.get();
          long n = processed[0];
          processed[0] = 0;
          if (n > 0) onCommitted.accept(n);
        }

        @Override
        public void abortTransaction() {
          PROCESSED.get()[0] = 0;
          super.abortTransaction();
        }
      };
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
      return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
      return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
      return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
  }
}
