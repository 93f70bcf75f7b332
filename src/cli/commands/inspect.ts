import { openBpfObjects } from '../../object/open.js';
import { inspectObject, type InspectedObject } from '../../report/inspect.js';
import { renderInspect } from '../../report/inspect-text.js';
import { readInput, writeOut } from '../io.js';

export interface InspectOptions {
  readonly json?: boolean;
}

/** `corecheck inspect <file>...`: programs, maps and CO-RE relocations of every object in each file. */
export async function runInspect(files: string[], opts: InspectOptions): Promise<void> {
  const results: InspectedObject[] = [];
  for (const file of files) {
    const bytes = await readInput(file);
    for (const located of openBpfObjects(bytes, file)) results.push(inspectObject(located));
  }
  if (opts.json) {
    writeOut(JSON.stringify({ objects: results }, null, 2) + '\n');
    return;
  }
  writeOut(results.map(renderInspect).join('\n'));
}
