import cliProgress from 'cli-progress';

export interface Progress {
  /** One more unit started; `label` says which. */
  tick(label: string): void;
  stop(): void;
}

/** Runs shorter than this finish before a bar would be worth drawing. */
const SHOW_AFTER_MS = 1000;

/**
 * A progress bar on stderr for runs longer than a second, and only on a TTY: piped output, CI logs
 * and `--output` files never see it.
 */
export function startProgress(total: number, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total < 2) return { tick: () => undefined, stop: () => undefined };
  const started = Date.now();
  let done = -1;
  let bar: cliProgress.SingleBar | undefined;
  return {
    tick(label) {
      done++;
      if (!bar && Date.now() - started >= SHOW_AFTER_MS) {
        bar = new cliProgress.SingleBar({
          stream, format: `{bar} {value}/{total} ${unit}  {label}`, hideCursor: true, clearOnComplete: true, barsize: 30,
        }, cliProgress.Presets.shades_classic);
        bar.start(total, done, { label });
      }
      bar?.update(done, { label: label.length > 50 ? `…${label.slice(-49)}` : label });
    },
    stop() {
      bar?.update(total);
      bar?.stop();
    },
  };
}
