// How the engine talks to the user. The CLI prints to a terminal or as JSON lines; the action uses
// @actions/core. The engine never writes to stdout itself.

export interface Progress {
  /** What is being worked on, e.g. a table name. */
  label: string;
  rows: number;
  bytes: number;
  /** Expected totals when known, for a rate and ETA. */
  totalRows?: number;
  totalBytes?: number;
}

export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  /** A long step started; returns a function that ends it. */
  step?(name: string): () => void;
  progress?(p: Progress): void;
}

export const silentReporter: Reporter = { info() {}, warn() {} };
