package io.siemstream.peer;

/**
 * A record's own fault (the parser's SiemStreamError with RECORD_UNPARSEABLE or RECORD_INVALID):
 * the record goes to the dead-letter topic with the code and message in its headers.
 */
final class RecordFault extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final String code;

  RecordFault(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  static RecordFault invalid(String message) {
    return new RecordFault("RECORD_INVALID", message);
  }

  static RecordFault unparseable(String message) {
    return new RecordFault("RECORD_UNPARSEABLE", message);
  }
}
