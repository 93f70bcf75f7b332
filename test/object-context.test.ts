// An object checked against several kernels shares its reachability walks between them
// (src/analysis/object-context.ts): a walk is reused only for identical patched code, so a shared
// context must give every kernel exactly the verdicts a fresh check gives. The kernels are chosen
// so that CO-RE patches the objects differently (4.18 el8 lacks much of what 6.1 and 7.2 have).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { checkKernel } from '../src/analysis/kernel-check.js';
import { ObjectContext } from '../src/analysis/object-context.js';
import { openBpfObjects } from '../src/object/open.js';
import { EXAMPLE } from './helpers/cli.js';
import { cachePath, corpusArchiveOf, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

test('object context: walks shared across kernels give each kernel the verdicts of a fresh check (libbpf-tools and the example, 3 kernels)', () => {
  const dir = scratchDir('object-context');
  const objDir = cachePath('objects/libbpf-tools');
  const objects = [
    ...readdirSync(objDir).filter((f) => f.endsWith('.o')).sort().map((f) => openBpfObjects(readBytes(join(objDir, f)), f)[0].object),
    openBpfObjects(readBytes(EXAMPLE), EXAMPLE)[0].object,
  ];
  const contexts = objects.map((o) => new ObjectContext(o));
  // 6.1.0-57 and its rt flavour patch most programs alike, and differ in some (PREEMPT_RT changes structs)
  const kernels = ['bclinux/21.10U3/x86_64/4.19.90-2107.6.0.0248.35.oe1.bclinux.x86_64', 'debian/12/x86_64/6.1.0-57-amd64',
    'debian/12/x86_64/6.1.0-57-rt-amd64', 'debian/sid/x86_64/7.2.13+deb14-amd64'];
  const verdicts = kernels.map((label) => {
    const vmlinux = Btf.parse(readBytes(extractCorpusBtf(corpusArchiveOf(label), dir)));
    const shared = checkKernel(objects, { vmlinux, modules: [] }, {}, contexts);
    const fresh = checkKernel(objects, { vmlinux, modules: [] });
    assert.deepEqual(shared, fresh, label);
    return fresh.verdicts.map((v) => v.verdict).join();
  });
  // the kernels do differ, so the shared walks were asked about different code
  assert.equal(new Set(verdicts).size, kernels.length);
  // and walks were shared: fewer than one per program and kernel
  const programs = objects.reduce((n, o) => n + o.programs.filter((p) => !p.isSubprogram).length, 0);
  const walks = contexts.reduce((n, c) => n + c.walksDone, 0);
  assert.ok(walks < programs * kernels.length * 0.9, `${walks} walks for ${programs} programs on ${kernels.length} kernels`);
});
