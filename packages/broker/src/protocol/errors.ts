// Errors the protocol layer throws while decoding. The network layer catches them: a decode error
// closes the connection (or answers with an error), it never crashes the broker.

/** Malformed input: truncated frame, negative or oversized length, bad header. */
export class ProtocolDecodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProtocolDecodeError';
  }
}

/** The api key is unknown or the version is outside what this broker supports (Kafka error 35). */
export class UnsupportedVersionError extends ProtocolDecodeError {
  readonly apiKey: number;
  readonly apiVersion: number;

  constructor(apiKey: number, apiVersion: number) {
    super(`unsupported api key ${apiKey} version ${apiVersion}`);
    this.name = 'UnsupportedVersionError';
    this.apiKey = apiKey;
    this.apiVersion = apiVersion;
  }
}
