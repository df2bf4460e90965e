// `npm run prebuild`: the prebuilt binaries shipped in the npm package, one per
// supported Node ABI (node-dist.mjs: 20, 22, 24) and architecture (x64 native,
// arm64 cross-compiled with Debian's g++-aarch64-linux-gnu), built by
// prebuildify into prebuilds/linux-<arch>/skein.abi<N>.glibc.node, where
// node-gyp-build finds them at run time.
//
//   node scripts/prebuild.mjs             rebuild every prebuild
//   node scripts/prebuild.mjs --if-stale  only when the sources, toolchain or Node versions changed (prepack)
//   node scripts/prebuild.mjs --check     rebuild into a scratch folder and compare byte for byte
//
// Reproducible: the sources are built in a scratch copy (only binding.gyp and
// native/), against pinned Node headers, with the compilers named in
// prebuilds/BUILDINFO.json, and stripped (no paths, no debug info), so the
// same inputs give the same bytes; --check proves it.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { arch as hostArch, availableParallelism, tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ARCHES, NODE_VERSIONS, nodeDist } from './node-dist.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT = join(ROOT, 'prebuilds')
const INFO = 'BUILDINFO.json'

/** The compilers of each architecture (the host must be linux-x64). */
const TOOLCHAINS = {
  x64: { CC: 'gcc', CXX: 'g++', LINK: 'g++', AR: 'ar', strip: 'strip', apt: 'g++ make python3' },
  arm64: { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', LINK: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar', strip: 'aarch64-linux-gnu-strip', apt: 'g++-aarch64-linux-gnu' },
}

/** A new temporary directory, removed when this process exits — also through fail() and --check's process.exit(), which skip `finally` blocks. */
function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function fail(message) {
  process.stderr.write(`prebuild: ${message}\n`)
  process.exit(1)
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

function firstLine(command, args) {
  return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0].trim()
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])).sort()
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function checkToolchain() {
  if (process.platform !== 'linux' || hostArch() !== 'x64') fail(`prebuilds are built on linux-x64 (this is ${process.platform}-${hostArch()})`)
  const missing = Object.values(TOOLCHAINS).flatMap((t) => [t.CXX, t.strip].filter((c) => !has(c)).map(() => t.apt))
  if (!has('make') || !has('python3')) missing.push('make python3')
  if (missing.length > 0) fail(`the toolchain is incomplete: apt-get install ${[...new Set(missing.join(' ').split(' '))].join(' ')}`)
}

/** Everything the bytes of the prebuilds depend on; equal inputs give equal prebuilds. */
function inputs() {
  const sources = ['binding.gyp', ...files(join(ROOT, 'native')).map((f) => relative(ROOT, f))]
  const hash = createHash('sha256')
  for (const file of sources) hash.update(`${file}\0`).update(readFileSync(join(ROOT, file)))
  const tool = (name) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version
  return {
    sources: hash.digest('hex'),
    node: NODE_VERSIONS,
    compilers: Object.fromEntries(Object.entries(TOOLCHAINS).map(([arch, t]) => [arch, firstLine(t.CXX, ['--version'])])),
    nodeGyp: tool('node-gyp'),
    prebuildify: tool('prebuildify'),
  }
}

/** Builds every prebuild into `out`/prebuilds; returns { relative path: sha256 }. */
function buildAll(out) {
  const stage = tempDir('skein-prebuild-')
  cpSync(join(ROOT, 'binding.gyp'), join(stage, 'binding.gyp'))
  cpSync(join(ROOT, 'native'), join(stage, 'native'), { recursive: true })
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'skein', private: true }))
  for (const arch of ARCHES) {
    const t = TOOLCHAINS[arch]
    for (const major of Object.keys(NODE_VERSIONS)) {
      const dist = nodeDist(major, arch)
      process.stdout.write(`prebuild: linux-${arch} Node ${NODE_VERSIONS[major]}\n`)
      const env = {
        ...process.env,
        npm_config_nodedir: dist,
        CC: t.CC, CXX: t.CXX, LINK: t.LINK, AR: t.AR,
        JOBS: String(availableParallelism()),
        CFLAGS: '', CXXFLAGS: '', LDFLAGS: '',
      }
      const args = [
        join(ROOT, 'node_modules', 'prebuildify', 'bin.js'),
        '--no-napi', '--strip', '--strip-bin', t.strip, '--tag-libc',
        '--target', `node@${NODE_VERSIONS[major]}`, '--arch', arch,
        '--node-gyp', join(ROOT, 'node_modules', '.bin', 'node-gyp'),
        '--cache', join(stage, 'cache'), '--out', out, '--cwd', stage, '--quiet',
      ]
      const result = spawnSync(process.execPath, args, { env, stdio: 'inherit' })
      if (result.status !== 0) fail(`the linux-${arch} build for Node ${NODE_VERSIONS[major]} failed: rerun without --quiet in ${relative(ROOT, join(ROOT, 'scripts', 'prebuild.mjs'))} to see the compiler`)
    }
  }
  const built = join(out, 'prebuilds')
  return Object.fromEntries(files(built).map((f) => [relative(built, f), sha256(f)]))
}

function readInfo() {
  try {
    return JSON.parse(readFileSync(join(OUT, INFO), 'utf8'))
  } catch {
    return undefined
  }
}

function fresh(info, want) {
  if (info === undefined || JSON.stringify(info.inputs) !== JSON.stringify(want)) return false
  return Object.entries(info.files).every(([file, sum]) => existsSync(join(OUT, file)) && sha256(join(OUT, file)) === sum)
}

/** npm runs a `prebuild` script before every `npm run build` too (a pre-hook): true when that is why we run. */
function runAsHookOfBuild() {
  if (process.env.npm_lifecycle_event !== 'prebuild') return false
  // npm titles its process after its command line ("npm run build"): find it among our ancestors.
  let pid = process.ppid
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]
      if (/^npm /.test(title)) return /^npm (run|run-script|rum|urn) build(\s|$)/.test(title)
      pid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1])
    } catch {
      return false
    }
  }
  return false
}

if (runAsHookOfBuild()) process.exit(0) // `npm run build` builds from source for this Node only
const mode = process.argv[2]
if (mode !== undefined && mode !== '--if-stale' && mode !== '--check') fail(`unknown option ${mode} (use --if-stale or --check)`)
checkToolchain()
const want = inputs()
if (mode === '--if-stale' && fresh(readInfo(), want)) {
  process.stdout.write('prebuild: prebuilds/ is up to date with native/, binding.gyp and the toolchain\n')
  process.exit(0)
}
const scratch = tempDir('skein-prebuilds-')
const sums = buildAll(scratch)
if (mode === '--check') {
  const info = readInfo()
  if (info === undefined) fail('no prebuilds/BUILDINFO.json to compare with: run `npm run prebuild` first')
  if (JSON.stringify(info.inputs) !== JSON.stringify(want)) fail('prebuilds/ was built from other inputs than these (see prebuilds/BUILDINFO.json): run `npm run prebuild`')
  const names = [...new Set([...Object.keys(info.files), ...Object.keys(sums)])].sort()
  let same = 0
  for (const name of names) {
    const ok = info.files[name] === sums[name]
    if (ok) same++
    process.stdout.write(`${ok ? '✓' : '✗'} ${name}${ok ? '' : ` (prebuilds/: ${info.files[name] ?? 'missing'}, rebuilt: ${sums[name] ?? 'missing'})`}\n`)
  }
  process.stdout.write(`${same} passed, ${names.length - same} failed\n`)
  process.exit(same === names.length ? 0 : 1)
}
writeFileSync(join(scratch, 'prebuilds', INFO), JSON.stringify({ inputs: want, files: sums }, null, 2) + '\n')
rmSync(OUT, { recursive: true, force: true })
mkdirSync(OUT, { recursive: true })
for (const entry of readdirSync(join(scratch, 'prebuilds'))) renameSync(join(scratch, 'prebuilds', entry), join(OUT, entry))
for (const [name, sum] of Object.entries(sums)) process.stdout.write(`prebuilds/${name}  ${sum.slice(0, 16)}\n`)

