// @ts-check
// One helper for the page's modal dialogs (<dialog> elements): opening one
// returns a promise of how it closed, and Escape closes it with null. The
// transfer and consult dialog, the confirmation dialog, the outbound dialog
// and the dialog that saves a recording all use it. Each Modal owns the
// promise of its dialog; it imports nothing.

/**
 * Modal shows a <dialog> and settles a promise when it closes.
 * @template T
 */
export class Modal {
  /** @param {HTMLDialogElement} el */
  constructor(el) {
    this.el = el;
    /** @type {((result: T | null) => void) | null} */
    this.resolve = null;
    el.addEventListener("cancel", (e) => { e.preventDefault(); this.close(null); });
  }

  /** open shows the dialog (a dialog open already stays open, and its
   * earlier promise settles with null); the promise settles with what
   * close is given.
   * @returns {Promise<T | null>} */
  open() {
    this.settle(null);
    if (!this.el.open) this.el.showModal();
    return new Promise((resolve) => { this.resolve = resolve; });
  }

  /** close hides the dialog and settles its promise with result.
   * @param {T | null} result */
  close(result) {
    if (this.el.open) this.el.close();
    this.settle(result);
  }

  /** @param {T | null} result */
  settle(result) {
    const r = this.resolve;
    this.resolve = null;
    if (r) r(result);
  }
}
