/** A click on a cell of the report's matrix: the program and kernel it stands for. */
export type CellChosen = (program: string, kernel: string) => void;

/**
 * Shows a report exactly as `--format html` renders it (report/html.ts, in a worker), in an iframe of its own:
 * the same headline, causes, matrix, filters and detail panel, drawn by the same script, kept
 * inert by the same Content-Security-Policy (the page's policy allows that script by its hash).
 * The frame grows to its content, and a click on a cell is passed on (the relocation view).
 */
export function showReport(frame: HTMLIFrameElement, html: string, onCell: CellChosen): void {
  frame.onload = () => {
    const doc = frame.contentDocument;
    if (!doc) return;
    const fit = (): void => { frame.style.height = `${doc.documentElement.scrollHeight}px`; };
    new ResizeObserver(fit).observe(doc.body);
    fit();
    doc.addEventListener('click', (e) => {
      const cell = (e.target as Element | null)?.closest?.('button.cell');
      const program = cell?.getAttribute('data-program');
      const kernel = cell?.getAttribute('data-kernel');
      if (program && kernel) onCell(program, kernel);
    });
  };
  frame.srcdoc = html;
}
