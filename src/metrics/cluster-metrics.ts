/**
 * @module
 * `serve --workers N --metrics-port P`: one scrape that sums every worker. Each worker counts in
 * its own registry; only the primary listens on P. A scrape asks every worker that is listening
 * for its metrics over the cluster's IPC channel and sums them with prom-client's aggregator
 * (AggregatorRegistry.aggregate: counters and histograms summed, each gauge by the rule it
 * declares). Before, every worker listened on P and a scrape reached whichever the kernel chose:
 * three scrapes read 471, 534 and 471 queries, which Prometheus takes for counter resets.
 *
 * prom-client's own `clusterMetrics()` asks every connected worker, a starting one included,
 * which has nothing to answer with yet and so fails the scrape after 5 s; here only workers that
 * said they listen are asked, within a bound of their own.
 *
 * A worker that dies takes its counts with it; the sum would fall, which Prometheus reads as a
 * reset of the whole gateway's counter. So the primary keeps each worker's last answer and, when
 * the worker exits, folds its counters and histograms into a retired sum that every later scrape
 * adds: the totals only grow (by what the dead worker counted up to the last scrape before it
 * died). A scrape that a live worker does not answer in time fails (HTTP 500 at the listener), so
 * Prometheus records a failed scrape rather than a fall.
 */
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { Registry } from 'prom-client';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

const REQUEST = 'wxtrack:metrics-request';
const REPLY = 'wxtrack:metrics-reply';

interface MetricsMessage {
  readonly wxtrack?: string;
  readonly id?: number;
  readonly metrics?: MetricsJson;
  readonly error?: string;
}

/** What the metrics listener serves: a registry, or the primary's sum over its workers. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface ClusterMetrics extends MetricsSource {
  /** A worker exited: its last counts stay in the sum. */
  retire(workerId: number): void;
  /** Stops listening to the workers. */
  close(): void;
}

/** In a worker: answers the primary's requests with this registry's metrics. */
export function answerMetricsRequests(registry: Registry, send = process.send?.bind(process)): () => void {
  const onMessage = (m: MetricsMessage) => {
    if (m?.wxtrack !== REQUEST || send === undefined) return;
    registry.getMetricsAsJSON().then(
      (metrics) => send({ wxtrack: REPLY, id: m.id, metrics }),
      (err: unknown) => send({ wxtrack: REPLY, id: m.id, error: (err as Error).message }),
    );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}

const CUMULATIVE = new Set(['counter', 'histogram']);

/** In the primary: sums the metrics of `workers()` (those listening) on each scrape. */
export function createClusterMetrics(workers: () => readonly Worker[], timeoutMs = 3000): ClusterMetrics {
  let nextId = 0;
  const pending = new Map<number, (workerId: number, m: MetricsMessage) => void>();
  const lastSeen = new Map<number, MetricsJson>();
  let retired: MetricsJson = [];
  const listeners = new Map<Worker, (m: MetricsMessage) => void>();

  const listen = (w: Worker) => {
    if (listeners.has(w)) return;
    const onMessage = (m: MetricsMessage) => {
      if (m?.wxtrack === REPLY && m.id !== undefined) pending.get(m.id)?.(w.id, m);
    };
    listeners.set(w, onMessage);
    w.on('message', onMessage);
  };

  const gather = (asked: readonly Worker[]): Promise<MetricsJson[]> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const got = new Map<number, MetricsJson>();
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          new Error(
            `${asked.length - got.size} of ${asked.length} workers did not answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      pending.set(id, (workerId, m) => {
        if (m.error !== undefined || m.metrics === undefined) {
          clearTimeout(timer);
          pending.delete(id);
          reject(new Error(`worker ${workerId}: ${m.error ?? 'no metrics'}`));
          return;
        }
        got.set(workerId, m.metrics);
        lastSeen.set(workerId, m.metrics);
        if (got.size === asked.length) {
          clearTimeout(timer);
          pending.delete(id);
          resolve([...got.values()]);
        }
      });
      for (const w of asked) {
        listen(w);
        w.send({ wxtrack: REQUEST, id });
      }
    });

  return {
    contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE,
    async metrics() {
      const asked = workers().filter((w) => w.isConnected());
      const live = asked.length === 0 ? [] : await gather(asked);
      return AggregatorRegistry.aggregate([...live, retired]).metrics();
    },
    retire(workerId) {
      const last = lastSeen.get(workerId);
      lastSeen.delete(workerId);
      if (last === undefined) return;
      const cumulative = last.filter((m) => CUMULATIVE.has(String(m.type)));
      // The aggregate's metrics are plain values behind a synchronous get().
      retired = AggregatorRegistry.aggregate([retired, cumulative])
        .getMetricsAsArray()
        .map((m) => (m as unknown as { get(): MetricsJson[number] }).get());
    },
    close() {
      for (const [w, onMessage] of listeners) w.off('message', onMessage);
      listeners.clear();
    },
  };
}
