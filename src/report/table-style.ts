/**
 * cli-table3 options for plain columns: no borders, `gap` between columns, no padding or colour of
 * its own. The matrix and `fleet list` are read as aligned text, and pasted as such.
 */
export function plainColumns(gap: string, left = ''): { chars: Record<string, string>; style: Record<string, unknown> } {
  return {
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left, 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: gap,
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  };
}

/** A table's text without blanks at line ends: cli-table3 pads every cell to its column's width, the last column's too. */
export function tableText(table: { toString(): string }): string {
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}
