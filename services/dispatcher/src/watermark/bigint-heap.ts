// A binary min-heap of bigint offsets: O(log n) push and pop, O(1) peek.

export class BigIntMinHeap {
  readonly #items: bigint[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): bigint | undefined {
    return this.#items[0];
  }

  push(value: bigint): void {
    const items = this.#items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as bigint;
      if (above <= value) break;
      items[i] = above;
      i = parent;
    }
    items[i] = value;
  }

  pop(): bigint | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (items[right] as bigint) < (items[left] as bigint) ? right : left;
      const smaller = items[child] as bigint;
      if (smaller >= last) break;
      items[i] = smaller;
      i = child;
    }
    items[i] = last;
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}
