// A FIFO of waiters with O(1) push, shift and removal (an aborted waiter leaves from the middle).

export interface WaiterNode<T> {
  readonly value: T;
  prev: WaiterNode<T> | null;
  next: WaiterNode<T> | null;
  linked: boolean;
}

export class WaiterList<T> {
  #head: WaiterNode<T> | null = null;
  #tail: WaiterNode<T> | null = null;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(value: T): WaiterNode<T> {
    const node: WaiterNode<T> = { value, prev: this.#tail, next: null, linked: true };
    if (this.#tail === null) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    this.#size++;
    return node;
  }

  shift(): T | undefined {
    const node = this.#head;
    if (node === null) return undefined;
    this.remove(node);
    return node.value;
  }

  /** Unlinks `node`; a node already removed is left alone. */
  remove(node: WaiterNode<T>): void {
    if (!node.linked) return;
    if (node.prev === null) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    node.linked = false;
    this.#size--;
  }
}
