package io.siemstream.peer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Values in the Confluent wire format: magic byte 0, the schema id (4 bytes, big-endian), then
 * Avro binary (what the project's EventCodec writes). Confluent's KafkaAvroSerializer is not on
 * Maven Central, so the framing is written here around Avro's own GenericDatumWriter. One per
 * stream task; not thread-safe.
 */
final class AvroWire {
  final Schema schema;
  private final int schemaId;
  private final GenericDatumWriter<GenericRecord> writer;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
  private BinaryEncoder encoder;

  AvroWire(Schema schema, int schemaId) {
    this.schema = schema;
    this.schemaId = schemaId;
    this.writer = new AvscStrings(schema);
  }

  byte[] encode(GenericRecord record) {
    buffer.reset();
    buffer.write(0);
    buffer.write(schemaId >>> 24);
    buffer.write(schemaId >>> 16);
    buffer.write(schemaId >>> 8);
    buffer.write(schemaId);
    encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** Strings with a lone surrogate written as avsc writes them (see Js.avscUtf8); all others as Avro does. */
  private static final class AvscStrings extends GenericDatumWriter<GenericRecord> {
    AvscStrings(Schema schema) {
      super(schema);
    }

    @Override
    protected void writeString(Object datum, Encoder out) throws IOException {
      if (datum instanceof String s && Js.hasLoneSurrogate(s)) out.writeString(new Utf8(Js.avscUtf8(s)));
      else super.writeString(datum, out);
    }
  }
}
