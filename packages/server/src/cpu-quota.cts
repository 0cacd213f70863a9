/**
 * The CPU quota of this process's cgroup (a container's `--cpus`, a Kubernetes CPU limit).
 * `os.availableParallelism()` sees CPU affinity, not a quota: a pod limited to 2 CPUs on a
 * 64-core node would otherwise start 64 inference threads and be throttled.
 *
 * CommonJS like start.cts, which needs the answer before libuv's thread pool starts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface CpuQuota {
  /** CPUs' worth of time per period (quota / period), possibly fractional, e.g. 1.5. */
  cpus: number;
  /** The file the tightest limit came from, for the start-up log. */
  source: string;
}

/**
 * Reads the quota from cgroup v2 (`cpu.max`) or v1 (`cpu.cfs_quota_us` / `cpu.cfs_period_us`),
 * from the process's own cgroup up to the hierarchy's root, and returns the tightest one; or
 * `undefined` when no level sets a quota. `root` is the file system root (`/`; tests pass a
 * folder of fake files). Inside a container the cgroup's path in /proc/self/cgroup may name a
 * host path that is not mounted there: the container's own cgroup is then the mount's root.
 */
export function readCpuQuota(root = '/'): CpuQuota | undefined {
  const lines = readText(join(root, 'proc/self/cgroup'))?.split('\n') ?? [];
  const mount = resolve(root, 'sys/fs/cgroup');
  if (existsSync(join(mount, 'cgroup.controllers'))) {
    const path = lines.find((line) => line.startsWith('0::'))?.slice(3) ?? '/';
    return tightest(mount, path, readV2);
  }
  const v1 = lines.map((line) => line.split(':')).find(([, controllers]) => controllers?.split(',').includes('cpu'));
  for (const name of ['cpu,cpuacct', 'cpu']) {
    const v1Mount = resolve(mount, name);
    if (existsSync(v1Mount)) return tightest(v1Mount, v1?.[2] ?? '/', readV1);
  }
  return undefined;
}

/** How many inferences to run at once under a quota: whole CPUs, at least one, at most `cores`. */
export function threadsForQuota(quota: CpuQuota, cores: number): number {
  return Math.max(1, Math.min(cores, Math.floor(quota.cpus)));
}

type LevelReader = (dir: string) => CpuQuota | undefined;

function tightest(mount: string, cgroupPath: string, read: LevelReader): CpuQuota | undefined {
  // resolve() drops the trailing slash join() keeps for "/", so the walk meets `mount` exactly.
  let dir = resolve(mount, `.${cgroupPath}`);
  if (!dir.startsWith(`${mount}/`) || !existsSync(dir)) dir = mount;
  let best: CpuQuota | undefined;
  for (;;) {
    const level = read(dir);
    if (level && (!best || level.cpus < best.cpus)) best = level;
    if (dir === mount) return best;
    dir = dirname(dir);
  }
}

/** `cpu.max` holds "<quota> <period>" in microseconds, or "max <period>" for no limit. */
function readV2(dir: string): CpuQuota | undefined {
  const source = join(dir, 'cpu.max');
  const [quota, period] = readText(source)?.trim().split(/\s+/) ?? [];
  return toQuota(Number(quota), Number(period), source);
}

/** v1 splits the pair over two files; a quota of -1 means no limit. */
function readV1(dir: string): CpuQuota | undefined {
  const source = join(dir, 'cpu.cfs_quota_us');
  return toQuota(Number(readText(source)), Number(readText(join(dir, 'cpu.cfs_period_us'))), source);
}

function toQuota(quota: number, period: number, source: string): CpuQuota | undefined {
  return quota > 0 && period > 0 ? { cpus: quota / period, source } : undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
