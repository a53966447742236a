/**
 * @module
 * `serve --workers N`: N serving processes on one machine, through `node:cluster`, so that the
 * query path uses every core. The workers share one listening socket; the primary serves no
 * request. It:
 *
 * - opens the store once before forking, so migrations run once and a bad database stops
 *   startup before any worker exists;
 * - runs the retention schedule, when configured, so that one process purges, not N;
 * - replaces a worker that dies, unless more than `workerRestarts` (`--worker-restarts`, default
 *   10) died in the last minute, which means they cannot start or keep running: then it stops
 *   every worker and exits 1 rather than spin, and a process manager (systemd `Restart=`) decides
 *   what next. Its listening socket closes with it, so clients are refused, not left waiting;
 * - passes SIGHUP on to every worker (each reloads its own carriers), and on SIGTERM or SIGINT
 *   stops them all, each finishing its requests in flight.
 *
 * Connections go to workers by the operating system (`SCHED_NONE`), not by node:cluster's
 * round-robin: under round-robin the primary accepts each connection and passes it to a worker;
 * one passed to a worker that just died was never answered nor closed (3 queries and 1 push left
 * in CLOSE-WAIT, 5 descriptors leaked, over 16 kills). With the operating system's scheduling
 * the primary never holds a connection: it waits in the kernel's queue until a live worker
 * accepts it, and one a worker held when it died is closed by the kernel with the worker. The
 * cost: the kernel spreads connections less evenly between busy workers than round-robin does.
 *
 * The workers must share one replay-guard truth: config/gateway-config.ts refuses `--workers` above 1 without
 * the Redis guard, since a guard in one process's memory would let a signature bound on one
 * worker be replayed, for another parcel, on the next.
 */
import cluster, { type Worker } from 'node:cluster';
import { openStore } from '../backends/open-backends.js';
import { systemClock } from '../clock/clock.js';
import { describeStore } from '../config/store-settings.js';
import { type GatewayConfig } from '../config/gateway-config.js';
import { type IngestConfig } from '../config/ingest-config.js';
import type { Logger } from '../http/logging.js';
import {
  logRetention,
  ownRetentionDays,
  retentionWanted,
  startRetention,
  systemTimer,
} from '../retention/retention.js';

/** How long stopping workers may take to finish their requests before they are killed. */
const STOP_GRACE_MS = 30_000;

/** Whether this process is a worker forked by {@link runPrimary}. */
export const isServeWorker = (): boolean => cluster.isWorker;

/**
 * Lets a stopped worker exit: its IPC channel to the primary would otherwise keep the event loop,
 * and the process, alive after the gateway has closed.
 */
export function leaveCluster(): void {
  if (cluster.isWorker) cluster.worker?.disconnect();
}

/** Tells the primary that this worker is listening. */
export function reportListening(origin: string): void {
  if (cluster.isWorker) process.send?.({ wxtrack: 'listening', origin });
}

/**
 * Runs the primary until SIGTERM or SIGINT; resolves with the exit code. `untilSignal` resolves
 * with the signal that asks it to stop.
 */
export async function runPrimary(
  config: GatewayConfig,
  ingest: IngestConfig,
  logger: Logger,
  untilSignal: () => Promise<NodeJS.Signals>,
  create = false,
): Promise<number> {
  const store = await openStore(config.store, {
    clock: systemClock,
    create,
  });
  const carrierDays = () => ownRetentionDays(config.carriers);
  const retention = !retentionWanted(ingest.retentionDays, carrierDays())
    ? undefined
    : startRetention({
        store,
        retentionDays: ingest.retentionDays,
        carrierDays,
        clock: systemClock,
        timer: systemTimer,
        onRun: (o) => logRetention(logger, o),
      });

  let stopping = false;
  let failed = false;
  const deaths: number[] = [];
  const listening = new Set<number>();
  let stopAll: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stopAll = resolve));

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (m: { wxtrack?: string; origin?: string }) => {
      if (m?.wxtrack !== 'listening') return;
      listening.add(worker.id);
      if (listening.size === config.workers) {
        logger.info(
          {
            origin: m.origin,
            workers: config.workers,
            store: describeStore(config.store),
            guard: config.guard.kind,
          },
          'wxtrack listening with every worker',
        );
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    metricsServing?.metrics.retire(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) stopAll();
      return;
    }
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && deaths[0]! < now - 60_000) deaths.shift();
    if (deaths.length > config.workerRestarts) {
      logger.fatal(
        { deaths: deaths.length, limit: config.workerRestarts },
        'workers keep dying (more than --worker-restarts in a minute); stopping the node, exit 1',
      );
      failed = true;
      void stop();
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    fork();
  });

  const onHup = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  };
  process.on('SIGHUP', onHup);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) stopAll();
    for (const w of workers) w.process.kill('SIGTERM');
    const kill = setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await stopped;
    clearTimeout(kill);
  };

  // The operating system hands connections to the workers (see the module comment); set before
  // the first fork, which fixes it.
  cluster.schedulingPolicy = cluster.SCHED_NONE;

  // One metrics listener, here, summing every worker (metrics/cluster-metrics.ts).
  const metricsAt = config.limits?.metrics;
  const metricsServing =
    metricsAt === undefined ? undefined : await serveClusterMetrics(metricsAt, listening);

  for (let i = 0; i < config.workers; i++) fork();
  const signal = await Promise.race([untilSignal(), stopped.then(() => undefined)]);
  if (signal) logger.info({ signal }, 'shutting down: workers finish their requests in flight');
  await stop();
  process.off('SIGHUP', onHup);
  metricsServing?.metrics.close();
  await metricsServing?.server.close();
  retention?.stop();
  await store.close();
  logger.info('stopped');
  return failed ? 1 : 0;
}

/** The primary's metrics listener over the sum of the workers that listen. */
async function serveClusterMetrics(
  where: { readonly host: string; readonly port: number },
  listening: Set<number>,
) {
  const [{ createClusterMetrics }, { startMetricsServer }] = await Promise.all([
    import('../metrics/cluster-metrics.js'),
    import('../metrics/metrics-server.js'),
  ]);
  const metrics = createClusterMetrics(() =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && listening.has(w.id)),
  );
  return { metrics, server: await startMetricsServer(metrics, where) };
}
