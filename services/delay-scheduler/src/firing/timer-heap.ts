// A binary min-heap of (fireAt, id): the in-memory near-term wheel of claimed timers. The earliest
// entry decides when the one setTimeout wakes; O(log n) per timer, so tens of thousands held cost nothing.

export interface HeapEntry {
  /** Epoch ms when the timer should fire. */
  fireAt: number;
  id: string;
}

export class TimerHeap {
  readonly #items: HeapEntry[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(entry: HeapEntry): void {
    const items = this.#items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.fireAt <= entry.fireAt) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  peek(): HeapEntry | undefined {
    return this.#items[0];
  }

  pop(): HeapEntry | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.fireAt < items[left]!.fireAt ? right : left;
      if (items[child]!.fireAt >= last.fireAt) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}
