/**
 * A byte link as a small binding (idea from zwave-js's serial bindings): serial ports, a mock and, later, TCP
 * share this one shape, so the Modbus master never touches serialport directly and tests need no hardware.
 */
export interface LinkOptions {
  path: string;
  baud: number;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  dataBits: 7 | 8;
}

export interface LinkEvents {
  data(chunk: Buffer): void;
  /** The link is gone (unplugged, EIO, closed under us). Not called for our own close(). */
  lost(err: Error): void;
}

export interface ByteLink {
  readonly isOpen: boolean;
  /** Rejects with QH_SERIAL_OPEN (ENOENT, EACCES, EBUSY...). */
  open(): Promise<void>;
  /** Resolves once the bytes are handed to the OS and drained. */
  write(data: Buffer): Promise<void>;
  /** Discards unread input (tcflush); bytes already in our parser are the caller's business. */
  flush(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void;
  off<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void;
}

/** How the drivers and CLI open a link; tests pass a mock one. */
export type OpenLink = (options: LinkOptions) => ByteLink;
