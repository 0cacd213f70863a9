/** The cgroup CPU-quota reader, on fake /proc and /sys/fs/cgroup trees written per test. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { readCpuQuota, threadsForQuota } from '../src/cpu-quota.cjs';

let roots: string[] = [];
afterEach(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  roots = [];
});

/** A fake file system root holding `files` (path relative to the root → content). */
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cgroup-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('cgroup v2', () => {
  it('reads a container limit of 2 CPUs from cpu.max at the namespace root', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu memory pids\n',
      'sys/fs/cgroup/cpu.max': '200000 100000\n',
    });
    expect(readCpuQuota(root)).toEqual({ cpus: 2, source: join(root, 'sys/fs/cgroup/cpu.max') });
  });

  it('takes the tightest limit between the process cgroup and its parents', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/kubepods/pod1/app\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu\n',
      'sys/fs/cgroup/kubepods/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/kubepods/pod1/cpu.max': '150000 100000\n',
      'sys/fs/cgroup/kubepods/pod1/app/cpu.max': '400000 100000\n',
    });
    expect(readCpuQuota(root)?.cpus).toBe(1.5);
  });

  it('finds no quota when cpu.max says max', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu\n',
      'sys/fs/cgroup/cpu.max': 'max 100000\n',
    });
    expect(readCpuQuota(root)).toBeUndefined();
  });

  it('falls back to the mount root when the cgroup path is a host path not mounted here', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/system.slice/libpod-abc.scope\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu\n',
      'sys/fs/cgroup/cpu.max': '300000 100000\n',
    });
    expect(readCpuQuota(root)?.cpus).toBe(3);
  });
});

describe('cgroup v1', () => {
  it('reads cpu.cfs_quota_us over cpu.cfs_period_us', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '50000\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    });
    expect(readCpuQuota(root)).toEqual({
      cpus: 0.5,
      source: join(root, 'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us'),
    });
  });

  it('finds no quota when cpu.cfs_quota_us is -1', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '4:cpu,cpuacct:/\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    });
    expect(readCpuQuota(root)).toBeUndefined();
  });
});

it('finds nothing where there is no cgroup file system', () => {
  expect(readCpuQuota(fakeRoot({ 'proc/self/cgroup': '0::/\n' }))).toBeUndefined();
  expect(readCpuQuota(fakeRoot({}))).toBeUndefined();
});

it('runs whole CPUs of the quota, at least one, never more than the cores', () => {
  const source = 'cpu.max';
  expect(threadsForQuota({ cpus: 2, source }, 16)).toBe(2);
  expect(threadsForQuota({ cpus: 2.5, source }, 16)).toBe(2);
  expect(threadsForQuota({ cpus: 0.5, source }, 16)).toBe(1);
  expect(threadsForQuota({ cpus: 8, source }, 4)).toBe(4);
});
