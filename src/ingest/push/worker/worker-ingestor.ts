/**
 * @module
 * The push ingestor that stores in a worker thread (ingest-worker.ts), so decoding, validating,
 * storing and rendering a push of any size never holds back the serving thread, which only hands
 * the body's bytes over and sends the finished reply (issue 8).
 *
 * - **Start**: {@link WorkerIngestor.start} resolves once the worker has opened its own store
 *   connection; it rejects when it could not, and the gateway refuses to start.
 * - **Nothing lost, nothing hangs**: a push is acknowledged only after the worker committed it.
 *   If the worker dies, every push in flight is rejected (the sender gets a 5xx and retries;
 *   slices already committed come back as `duplicate`), and the next push starts a new worker.
 * - **Cache**: the worker writes through its own connection, so the serving thread's reply cache
 *   is told exactly which waybills changed ({@link WorkerIngestorOptions.onStored}), in slices,
 *   yielding between them, before the push is answered.
 */
import { Worker } from 'node:worker_threads';
import type { PushIngestor, PushOutcome, PushRequest } from '../push-ingestor.js';
import type { FromWorker, ToWorker, WorkerStoreSpec } from './worker-protocol.js';

export interface WorkerIngestorOptions {
  readonly store: WorkerStoreSpec;
  /** Called with the waybills a push changed, in slices, before the push is answered. */
  readonly onStored?: (carrier: string, waybills: readonly string[]) => void | Promise<void>;
  /** Called when the worker stops unexpectedly (pushes in flight have failed). */
  readonly onCrash?: (error: Error) => void;
  /** The worker's script; the built `ingest-worker.js` beside this module by default. */
  readonly workerUrl?: URL;
}

/**
 * The built `ingest-worker.js` beside this module. A worker thread runs JavaScript only: when this
 * module itself runs from TypeScript source (the test runner), the built copy in dist/ stands in
 * (`npm test` builds first).
 */
const DEFAULT_WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../../../dist/ingest/push/worker/ingest-worker.js', import.meta.url)
  : new URL('./ingest-worker.js', import.meta.url);

/** Waybills forgotten per turn of the event loop. */
const FORGET_SLICE = 2_000;

interface Pending {
  readonly carrier: string;
  readonly resolve: (outcome: PushOutcome) => void;
  readonly reject: (err: Error) => void;
}

interface Running {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Called when the worker says it closed its store. */
  onClosed?: () => void;
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WorkerIngestor implements PushIngestor {
  readonly #options: WorkerIngestorOptions;
  #running: Promise<Running> | undefined;
  #nextId = 1;
  #closed = false;

  private constructor(options: WorkerIngestorOptions) {
    this.#options = options;
  }

  /**
   * Starts the worker and returns at once, so the caller can get on with its own start; it must
   * await {@link ready} before it serves.
   */
  static create(options: WorkerIngestorOptions): WorkerIngestor {
    const ingestor = new WorkerIngestor(options);
    // Observed by ready(); a failed start must not also surface as an unhandled rejection.
    ingestor.#worker().catch(() => undefined);
    return ingestor;
  }

  /** Starts the worker; rejects when it cannot open its store. */
  static async start(options: WorkerIngestorOptions): Promise<WorkerIngestor> {
    const ingestor = WorkerIngestor.create(options);
    await ingestor.ready();
    return ingestor;
  }

  /** Resolves once the worker has opened its store; rejects when it could not. */
  async ready(): Promise<void> {
    await this.#worker();
  }

  #worker(): Promise<Running> {
    this.#running ??= this.#spawn();
    return this.#running;
  }

  #spawn(): Promise<Running> {
    const url = this.#options.workerUrl ?? DEFAULT_WORKER_URL;
    const promise = new Promise<Running>((resolve, reject) => {
      const worker = new Worker(url, { workerData: this.#options.store });
      const running: Running = { worker, pending: new Map() };
      let ready = false;
      let stopped = false;
      const stop = (err: Error) => {
        if (stopped) return;
        stopped = true;
        if (this.#running === promise) this.#running = undefined;
        if (!ready) return reject(err);
        for (const p of running.pending.values()) p.reject(err);
        running.pending.clear();
        if (!this.#closed) this.#options.onCrash?.(err);
      };
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            return resolve(running);
          case 'failed':
            return stop(new Error(`push worker could not open the store: ${message.message}`));
          case 'closed':
            return running.onClosed?.();
          default:
            return this.#settle(running, message);
        }
      });
      worker.on('error', (err) => stop(new Error(`push worker failed: ${err.message}`)));
      worker.on('exit', (code) => stop(new Error(`push worker stopped (exit code ${code})`)));
    });
    return promise;
  }

  #settle(running: Running, message: Exclude<FromWorker, { type: 'ready' | 'failed' | 'closed' }>): void {
    const p = running.pending.get(message.id);
    if (!p) return;
    running.pending.delete(message.id);
    if (message.type === 'error') return p.reject(new Error(`push not stored: ${message.message}`));
    if (message.type === 'refused') return p.resolve({ ok: false, error: message.error });
    const waybills = message.waybills === '' ? [] : message.waybills.split('\n');
    void this.#forget(p.carrier, waybills).then(
      () =>
        p.resolve({
          ok: true,
          statusCode: message.statusCode,
          body: message.body,
          accepted: message.accepted,
          counts: message.counts,
          waybills,
        }),
      (err: unknown) => p.reject(err as Error),
    );
  }

  async #forget(carrier: string, waybills: readonly string[]): Promise<void> {
    const onStored = this.#options.onStored;
    if (!onStored) return;
    for (let from = 0; from < waybills.length; from += FORGET_SLICE) {
      if (from > 0) await yieldTurn();
      await onStored(carrier, waybills.slice(from, from + FORGET_SLICE));
    }
  }

  async push(request: PushRequest): Promise<PushOutcome> {
    if (this.#closed) throw new Error('push ingestor is closed');
    const running = await this.#worker();
    const id = this.#nextId++;
    const { bytes, format } = request.body;
    // Hand the bytes over without a copy when they own their whole buffer.
    const own =
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer;
    const body = own ? bytes : new Uint8Array(bytes);
    const message: ToWorker = {
      type: 'push',
      id,
      carrier: request.carrier,
      body: { format, bytes: body },
      rules: request.rules,
    };
    return new Promise<PushOutcome>((resolve, reject) => {
      running.pending.set(id, { carrier: request.carrier, resolve, reject });
      running.worker.postMessage(message, [body.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const running = await this.#running?.catch(() => undefined);
    if (!running) return;
    const exited = new Promise<void>((resolve) => running.worker.once('exit', () => resolve()));
    // The worker closes its store, then its thread is ended; one that does not answer within 5 s
    // is ended all the same.
    const closed = new Promise<void>((resolve) => {
      running.onClosed = resolve;
      setTimeout(resolve, 5_000).unref();
    });
    running.worker.postMessage({ type: 'close' } satisfies ToWorker);
    await Promise.race([closed, exited]);
    await running.worker.terminate();
    await exited;
  }
}
