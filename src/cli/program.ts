// first: V8's tiering flag must be set before the run's code gets hot
import './jit-tiering.js';
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CorecheckError } from '../common/errors.js';
import { runInspect } from './commands/inspect.js';
import { runBtfDump } from './commands/btf-dump.js';
import { runRelocate } from './commands/relocate.js';
import { runCheck, runMerge, type FleetCliOptions, type ReportCliOptions } from './commands/check.js';
import { BTFGEN_FORMATS, runBtfgen } from './commands/btfgen.js';
import { runServe } from './commands/serve.js';
import { KernelCache } from '../kernels/cache.js';
import { runFleetAdd, runFleetList, runFleetRemove } from './commands/fleet.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/formats.js';
import { FAIL_ON, parseFleetFilter, type FailOn } from '../report/gate.js';

const EXIT_BAD_INPUT = 2;
/** Set by a command whose outcome is an exit status (`check`'s CI gate). */
let exitStatus = 0;

interface ReportFlags {
  format: ReportFormat; json?: boolean; output?: string; verbose?: boolean; failOn: FailOn; require?: string[]; sourceRoot: string;
}

/** Which kernels a fleet run checks (`check` and `btfgen`). */
interface FleetFlags extends ReportFlags {
  kernel?: string[]; fleet?: string[]; arch: string; jobs?: number; cache: boolean; distro?: string[]; release?: string; set?: string[];
}

interface CheckFlags extends FleetFlags {
  module?: string[]; shard?: { index: number; count: number };
}

interface BtfgenFlags extends FleetFlags {
  out: string; compress?: boolean; strict?: boolean;
}

interface FleetListFlags {
  fleet?: string; builtin?: boolean; arch?: string; distro?: string[]; release?: string;
}

function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('expected a whole number from 1 to 256');
  return n;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

/** `2/5` → shard 2 of 5 (1-based). */
function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(index >= 1 && index <= count)) throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n, e.g. 2/5');
  return { index, count };
}

function buildProgram(): Command {
  const program = new Command('corecheck')
    .description('Tells, before anything is deployed, whether compiled eBPF programs will load on each kernel of a fleet.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program.command('inspect')
    .description('List the programs, maps and CO-RE relocations (in libbpf\'s notation, with source lines) of BPF objects, ' +
      'or of the objects embedded in binaries (libbpf skeletons, Go and Rust programs)')
    .argument('<file...>', 'BPF object (.o) or a binary that embeds BPF objects')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], opts: { json?: boolean }) => runInspect(files, opts));

  // repeatable options: no default value, so --help shows none
  const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
  /** How a report is rendered and gated: the same for `check` and for `merge`. */
  const reportOptions = (cmd: Command, formats: readonly string[] = REPORT_FORMATS): Command => cmd
    .addOption(new Option('--format <format>', 'output format').choices([...formats]).default('text'))
    .option('--json', 'the same as --format json')
    .option('-o, --output <file>', 'write the report to this file (whole or not at all) instead of standard output')
    .option('-v, --verbose', 'print everything: every cause with all sites and fixes, every program and reason per kernel group')
    .addOption(new Option('--fail-on <verdict>', 'exit 1 when a required (object, kernel) pair has this verdict or a worse one (fails < unknown < warn)')
      .choices([...FAIL_ON]).default('fails'))
    .option('--require <expr>', 'kernels that must pass, e.g. arch=x86_64,release>=5.8 or distro=centos; terms joined by , must all hold; ' +
      'repeat for alternatives (default: every checked kernel); keys arch, distro (or distro/release), release (uname -r, compared as versions), label (* globs)', collect)
    .option('--source-root <dir>', 'source paths in SARIF are made relative to this directory', '.');
  const reportFlags = (opts: ReportFlags): ReportCliOptions => ({
    format: opts.json ? 'json' : opts.format, output: opts.output, verbose: opts.verbose === true,
    failOn: opts.failOn, require: opts.require ?? [], sourceRoot: opts.sourceRoot,
  });

  /** The kernels a fleet run checks and how: the same for `check` and for `btfgen`. */
  const fleetOptions = (cmd: Command): Command => cmd
    .option('--kernel <source>', 'a kernel BTF source (raw BTF, vmlinux, vmlinuz, BTFHub archive, kernel package, <store>.fleet#<label>) or a BTFHub tree (.btf.tar.xz or raw .btf); repeat for several ' +
      '(default: the running kernel, /sys/kernel/btf/vmlinux)', collect)
    .option('--fleet <store>', 'the kernels of a fleet store (corecheck fleet add --fleet <store>); repeat for several', collect)
    .option('--arch <arch>', 'check each object against kernels of the architecture it was built for (auto), of one architecture, or all', 'auto')
    .option('--distro <name>', 'check only kernels of this distro (debian/12 for one release); repeat for several', collect)
    .option('--release <range>', "check only kernel releases in this range, e.g. '>=5.4 <6.0' (all must hold) or 5.10")
    .option('--set <name=value>', 'give a .rodata variable the value user space sets before load (skel->rodata->NAME = VALUE; the verifier folds it), ' +
      'or a __kconfig CONFIG_ value of the kernels (y, n, m or a number; unknown, both ways, unless given); repeat for several', collect)
    .option('--no-cache', "do not keep or use kernel BTF found in archives, images, packages and fleet stores, nor the kernels' parse indexes it keeps beside them ($XDG_CACHE_HOME/corecheck, by content hash)")
    .option('-j, --jobs <n>', `threads that load and check kernels, this one included (1: all in this thread; default: ${availableParallelism()}, one per core, when the run has work enough to pay for starting them, else 1)`, parseJobs);
  const fleetFlags = (opts: FleetFlags): FleetCliOptions => ({
    kernel: opts.kernel ?? [], fleet: opts.fleet ?? [], arch: opts.arch, jobs: opts.jobs,
    cache: opts.cache ? KernelCache.default() : null, select: parseFleetFilter(opts.distro ?? [], opts.release), set: opts.set ?? [],
  });

  fleetOptions(reportOptions(program.command('check')
    .description('Will each program load on each kernel? A report by root cause (CO-RE poisoning the verifier reaches, missing helpers, ' +
      'map and program types, attach targets, kfuncs, BTF) with the programs and kernels concerned, the source line and a fix, ' +
      'and an exit status that gates CI (0 pass, 1 fail, 2 bad input)')
    .argument('<file...>', 'BPF objects (.o) or binaries that embed BPF objects')))
    .option('--module <source>', 'a kernel module\'s BTF, split on the one --kernel; repeat for several', collect)
    .option('--shard <i/n>', 'check only the i-th of n deterministic slices of the kernels and write it as a partial run (JSON) for `corecheck merge`', parseShard)
    .action(async (files: string[], opts: CheckFlags) => {
      exitStatus = await runCheck(files, { ...reportFlags(opts), ...fleetFlags(opts), module: opts.module ?? [], shard: opts.shard });
    });

  fleetOptions(reportOptions(program.command('btfgen')
    .description('Write, per kernel, the minimized BTF the objects\' CO-RE relocations need (as bpftool gen min_core_btf does), in BTFHub\'s ' +
      'layout <out>/<distro>/<release>/<arch>/<kernel>.btf, for loading with btf_custom_path; report per kernel what could not be resolved ' +
      'and whether it breaks the load, with check\'s root-cause report and CI gate (0 pass, 1 fail, 2 bad input)')
    .argument('<file...>', 'BPF objects (.o) or binaries that embed BPF objects')
    .requiredOption('--out <dir>', 'the directory to write the minimized BTFs to (created if missing)')
    .option('--compress', 'write BTFHub archives (<kernel>.btf.tar.xz: a tar of <kernel>.btf, xz-compressed) instead of raw BTF')
    .option('--strict', 'write nothing for a kernel where some object fails (by default the file is written and the report names the failure)'), BTFGEN_FORMATS))
    .action(async (files: string[], opts: BtfgenFlags) => {
      exitStatus = await runBtfgen(files, { ...reportFlags(opts), ...fleetFlags(opts), out: opts.out, compress: opts.compress === true, strict: opts.strict === true });
    });

  reportOptions(program.command('merge')
    .description('Combine the partial runs of `check --shard i/n` (every shard once) into the report and gate an unsharded check gives')
    .argument('<partial...>', 'partial runs written by check --shard'))
    .action(async (files: string[], opts: ReportFlags) => {
      exitStatus = await runMerge(files, reportFlags(opts));
    });

  const fleet = program.command('fleet').description('The kernels corecheck checks by default: the built-in fleet and your own');
  const storeOption = '--fleet <store>';
  const storeHelp = 'the fleet store to use (default: $XDG_CACHE_HOME/corecheck/fleet/user.fleet)';
  fleet.command('list')
    .description('List the kernels of your fleet (or, with --builtin, of the built-in one); the filters pick kernels as check\'s do')
    .option(storeOption, storeHelp)
    .option('--builtin', 'the built-in fleet that ships with corecheck')
    .option('--arch <arch>', 'only kernels of this architecture')
    .option('--distro <name>', 'only kernels of this distro (debian/12 for one release); repeat for several', collect)
    .option('--release <range>', "only kernel releases in this range, e.g. '>=5.4 <6.0' (all must hold) or 5.10")
    .action(async (opts: FleetListFlags) => runFleetList({
      fleet: opts.fleet, builtin: opts.builtin, arch: opts.arch, select: parseFleetFilter(opts.distro ?? [], opts.release),
    }));
  fleet.command('add')
    .description('Import kernels into your fleet: any kernel BTF source, BTFHub trees, .deb and .rpm kernel packages; ' +
      'stored like the built-in fleet (kernels of a release series share types and strings)')
    .argument('<source...>', 'kernel BTF sources, BTFHub trees or kernel packages')
    .option(storeOption, storeHelp)
    .action(async (sources: string[], opts: { fleet?: string }) => runFleetAdd(sources, opts));
  fleet.command('remove')
    .description('Remove kernels from your fleet by label (as fleet list shows it; * matches any text)')
    .argument('<label...>', 'kernel labels')
    .option(storeOption, storeHelp)
    .action(async (labels: string[], opts: { fleet?: string }) => runFleetRemove(labels, opts));

  program.command('relocate')
    .description('Resolve every CO-RE relocation of an object against a kernel\'s BTF exactly as libbpf does: ' +
      'candidates, outcome (patched, poisoned, error) and the patched instruction')
    .argument('<object>', 'BPF object (.o) or a binary that embeds BPF objects')
    .requiredOption('--kernel <source>', 'the target kernel\'s BTF (any source `btf dump` reads)')
    .option('--base <source>', 'base BTF when --kernel is split BTF')
    .option('--module <source>', 'a kernel module\'s BTF (.ko, or /sys/kernel/btf/<module>), split on --kernel: libbpf searches ' +
      'modules for a type only when vmlinux has none; repeat for several, in the kernel\'s module order', collect)
    .option('--log', 'print exactly the CO-RE debug lines libbpf prints (`CO-RE relocating …`, `prog \'…\': relo #…`)')
    .option('--json', 'print the result as JSON, with every function\'s instructions after patching')
    .option('--all', 'relocate programs whose autoload is off too (SEC("?…"))')
    .action(async (object: string, opts: { kernel: string; base?: string; module?: string[]; log?: boolean; json?: boolean; all?: boolean }) => runRelocate(object, opts));

  const btf = program.command('btf').description('Read BTF');
  btf.command('dump')
    .description('Dump the BTF of a kernel or object: raw (as `bpftool btf dump file F format raw`), c (a vmlinux.h, as bpftool\'s `format c`) or json (as `bpftool -j … format raw`)')
    .argument('<source>', 'raw BTF (/sys/kernel/btf/vmlinux), ELF with .BTF (vmlinux, .ko, BPF object), kernel image (vmlinuz, Image, Image.gz), BTFHub .btf.tar.xz, kernel package (.deb, .rpm) or one kernel of a fleet store (<store>.fleet#<label>)')
    .addOption(new Option('--format <format>', 'output format').choices(['raw', 'c', 'json']).default('raw'))
    .option('--base <source>', 'base BTF for split BTF (a kernel module on its vmlinux)')
    .action(async (source: string, opts: { format: 'raw' | 'c' | 'json'; base?: string }) => runBtfDump(source, opts));

  program.command('serve')
    .description('Serve the web app on localhost: drop objects and kernels on the page and see the report, relocations and BTF; ' +
      'everything runs in the browser, nothing is uploaded')
    .option('--port <n>', 'TCP port on 127.0.0.1', parsePort, 8080)
    .action(async (opts: { port: number }) => runServe(opts));
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return exitStatus;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed the message (or help/version, which exit 0)
      return e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (e instanceof CorecheckError) {
      process.stderr.write(`corecheck: ${e.format()}\n`);
      return EXIT_BAD_INPUT;
    }
    const err = e as Error;
    process.stderr.write(`corecheck: internal error: ${err?.message ?? String(e)}` +
      (process.env.CORECHECK_DEBUG ? `\n${err?.stack ?? ''}` : ' (set CORECHECK_DEBUG=1 for a stack trace)') + '\n');
    return 70;
  }
}

process.exitCode = await main(process.argv);
