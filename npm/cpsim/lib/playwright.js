// @ts-check
// The Playwright fixture, `import { test, expect } from "cpsim/playwright"`:
// cpsim starts once per worker (cpsim), and each test gets a panel: a
// session of its own, opened in the test's page, driven through the
// control API, with the extension under test's iframe at hand. The types
// are in playwright.d.ts; @playwright/test is a peer dependency.

import { test as base, expect } from "@playwright/test";
import { Session, startCpsim } from "./client.js";

export { expect };

/** @typedef {import("./client.js").Instance} Instance */
/** @typedef {import("./client.js").Interaction} Interaction */
/** @typedef {import("./client.js").EventAnswer} EventAnswer */
/** @typedef {import("./playwright.js").PanelFixtures} PanelFixtures */
/** @typedef {import("./playwright.js").CpsimWorkerFixtures} CpsimWorkerFixtures */

/** frameSelector matches the panel's extension iframes (web/static/js/frames.js marks them). */
const frameSelector = 'iframe[data-testid="ext-frame"]';

/**
 * bySidebarOrder orders instances as the panel's sidebar lists them: by
 * ordinal, 0 (none) first, then by title, then by key
 * (web/static/js/extensions.js).
 * @param {Instance} a
 * @param {Instance} b
 */
function bySidebarOrder(a, b) {
  return (a.ordinal || 0) - (b.ordinal || 0) ||
    (a.text || a.key).localeCompare(b.text || b.key, "en", { sensitivity: "base" }) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Extension is an extension in the panel of a test's page: its iframe,
 * and opening it as the agent does with its sidebar button.
 */
export class Extension {
  /**
   * @param {Panel} panel
   * @param {{key?: string, url?: string}} which the extension's key; or its URL; neither: the interaction's first expanded extension in the sidebar
   */
  constructor(panel, which) {
    this.panel = panel;
    /** @type {string | undefined} */
    this.key = which.key;
    /** @type {string | undefined} */
    this.url = which.url;
    /** @type {string | undefined} the instance open() opened last */
    this.instance = undefined;
  }

  /**
   * selector is the CSS selector of the iframe: the instance open()
   * opened, or, before, the iframe the panel shows.
   * @returns {string}
   */
  selector() {
    return this.instance ? `${frameSelector}[data-instance=${JSON.stringify(this.instance)}]` : `${frameSelector}[data-shown="true"]`;
  }

  /**
   * frame is the extension's iframe's content, to find elements in:
   * panel.extension.frame().getByText("C-1").
   * @returns {import("@playwright/test").FrameLocator}
   */
  frame() {
    return this.panel.page.frameLocator(this.selector());
  }

  /**
   * iframe is the iframe element in the panel's page.
   * @returns {import("@playwright/test").Locator}
   */
  iframe() {
    return this.panel.page.locator(this.selector());
  }

  /**
   * find finds this extension's instance for an interaction in the
   * session's view.
   * @param {string} [interaction] default: the last one created through the panel, or the active one
   * @returns {Promise<Instance | undefined>}
   */
  async find(interaction) {
    const { view } = await this.panel.view();
    const id = interaction ?? this.panel.lastInteraction ?? view.active;
    const mine = view.instances.filter((i) => i.mode !== "global" && i.interaction === id);
    if (this.key !== undefined) return mine.find((i) => i.key === this.key);
    if (this.url !== undefined) return mine.find((i) => i.url === this.url);
    return mine.filter((i) => i.visible && i.expanded).sort(bySidebarOrder)[0];
  }

  /**
   * open opens the extension for an interaction (default: the last one
   * created, or the active one), as the agent does with its sidebar button
   * (select_extension), so that its iframe shows; frame() then finds this
   * instance's iframe. It resolves with the instance.
   * @param {string} [interaction]
   * @returns {Promise<Instance>}
   * @throws {Error} when the interaction has no such extension
   */
  async open(interaction) {
    const inst = await this.find(interaction);
    if (!inst) {
      const which = this.key ? `extension ${this.key}` : this.url ? `extension ${this.url}` : "expanded extension";
      throw new Error(`no ${which} is loaded for interaction ${interaction ?? this.panel.lastInteraction ?? "(none active)"}: is it accepted, and is the extension configured for its queue?`);
    }
    await this.panel.selectExtension({ instance: inst.id });
    this.instance = inst.id;
    return inst;
  }
}

/**
 * Panel is a session shown in the test's page: every Session method
 * (incoming, accept, say, waitForMessage, messages, view, play, ...) and
 * the page and the extension under test. accept and pick also open the
 * extension under test for the interaction, as the agent would click its
 * button, so that its iframe shows; waitForMessage waits the option
 * messageTimeout when not told (within).
 */
export class Panel extends Session {
  /**
   * @param {string} panelUrl
   * @param {string} name
   * @param {import("@playwright/test").Page} page
   * @param {{key?: string, url?: string}} extension which extension is under test
   * @param {() => string} log cpsim's log
   */
  constructor(panelUrl, name, page, extension, log) {
    super(panelUrl, name, { log });
    /** @type {import("@playwright/test").Page} */
    this.page = page;
    /** @type {Extension} the extension under test */
    this.extension = new Extension(this, extension);
    /** @type {number} how long waitForMessage waits when not told, in ms: the option messageTimeout */
    this.within = 5000;
  }

  /**
   * waitForMessage is Session.waitForMessage, whose within defaults to
   * the option messageTimeout (at most 60 s, cpsim's limit).
   * @param {Record<string, unknown>} match
   * @param {import("./client.js").WaitOptions} [options]
   * @returns {Promise<import("./client.js").Message>}
   */
  waitForMessage(match, options = {}) {
    return super.waitForMessage(match, { ...options, within: options.within ?? Math.min(this.within, 60_000) });
  }

  /**
   * extensionFor is another extension of the panel, by key.
   * @param {string} key
   * @returns {Extension}
   */
  extensionFor(key) {
    return new Extension(this, { key });
  }

  /**
   * accept accepts an interaction (default: the last one created) and
   * opens the extension under test for it, when it has one.
   * @param {Parameters<Session["accept"]>[0]} [fields]
   * @returns {Promise<EventAnswer>}
   */
  async accept(fields) {
    const answer = await super.accept(fields);
    await this._openFor(fields);
    return answer;
  }

  /**
   * pick picks an interaction from a queue (default: the last one
   * created) and opens the extension under test for it, when it has one.
   * @param {Parameters<Session["pick"]>[0]} [fields]
   * @returns {Promise<EventAnswer>}
   */
  async pick(fields) {
    const answer = await super.pick(fields);
    await this._openFor(fields);
    return answer;
  }

  /**
   * _openFor opens the extension under test for the interaction an
   * accept or a pick named, when that interaction has it.
   * @param {string | {id?: string} | undefined} fields
   */
  async _openFor(fields) {
    const id = typeof fields === "string" ? fields : fields?.id ?? this.lastInteraction;
    if (await this.extension.find(id)) await this.extension.open(id);
  }
}

/**
 * panelReady tells, in the page, whether the panel is connected to cpsim
 * and shows session name (web/static/host.js's test hook, window.cpsim).
 * @param {string} name
 */
function panelReady(name) {
  const c = /** @type {any} */ (window).cpsim;
  return !!c && c.connected && !!c.view && c.session === name;
}

/**
 * protocolProblems lists, as lines, the protocol problems of the messages
 * an extension sent (state.Diagnostic.IsProblem: an error or a warning
 * about a message coming in), of the extension key only when it is given.
 * @param {Array<{dir?: string, key?: string, instance?: string, message?: unknown, problems?: Array<{severity: string, kind: string, path?: string, text: string}>}>} rows
 * @param {string | undefined} key
 * @returns {string[]}
 */
function protocolProblems(rows, key) {
  const out = [];
  for (const r of rows) {
    if (r.dir !== "in" || (key !== undefined && r.key !== key)) continue;
    for (const p of r.problems || []) {
      if (p.severity !== "error" && p.severity !== "warning") continue;
      const msg = JSON.stringify(r.message ?? null) || "";
      out.push(`  ${r.instance || r.key}: ${p.severity} ${p.kind}${p.path ? " " + p.path : ""}: ${p.text}  ${msg.length > 200 ? msg.slice(0, 200) + "…" : msg}`);
    }
  }
  return out;
}

/**
 * test is @playwright/test's test with cpsim: the worker fixture cpsim
 * (started once per worker with the option cpsimOptions), and the test
 * fixture panel (a session of its own, open in the test's page; the
 * option extensionKey names the extension under test, messageTimeout how
 * long panel.waitForMessage waits when not told).
 * @type {typeof import("./playwright.js").test}
 */
export const test = base.extend(/** @type {import("@playwright/test").Fixtures<PanelFixtures, CpsimWorkerFixtures, import("@playwright/test").PlaywrightTestArgs & import("@playwright/test").PlaywrightTestOptions, import("@playwright/test").PlaywrightWorkerArgs & import("@playwright/test").PlaywrightWorkerOptions>} */ ({
  cpsimOptions: [{}, { scope: "worker", option: true }],
  cpsim: [async ({ cpsimOptions }, use) => {
    const cpsim = await startCpsim(cpsimOptions);
    try {
      await use(cpsim);
    } finally {
      await cpsim.stop();
    }
  }, { scope: "worker", timeout: 120_000 }],
  extensionKey: [undefined, { option: true }],
  messageTimeout: [5000, { option: true }],
  failOnProblems: [true, { option: true }],
  panel: async ({ cpsim, cpsimOptions, extensionKey, messageTimeout, failOnProblems, page }, use, testInfo) => {
    const session = await cpsim.session();
    const which = extensionKey !== undefined ? { key: extensionKey } : { url: cpsimOptions.extensions?.[0] };
    const panel = new Panel(cpsim.panelUrl, session.name, page, which, cpsim.log);
    panel.within = messageTimeout;
    await page.goto(panel.url);
    await page.waitForFunction(panelReady, panel.name);
    await use(panel);

    // What went between the panel and its extensions: for the report, and
    // for the extension's protocol problems, which fail the test as they
    // fail cpsim test's scenario.
    const rows = [];
    for (let after = 0; ;) {
      const got = await panel.messages({ after, limit: 1000 }).catch(() => null);
      if (!got || !got.messages.length) break;
      rows.push(...got.messages);
      after = got.next;
    }
    const problems = protocolProblems(rows, extensionKey);
    const failing = failOnProblems && problems.length > 0 && testInfo.status === testInfo.expectedStatus;
    if (testInfo.status !== testInfo.expectedStatus || failing) {
      await testInfo.attach("cpsim messages", { body: JSON.stringify(rows, null, 2), contentType: "application/json" });
      await testInfo.attach("cpsim log", { body: cpsim.log(), contentType: "text/plain" });
    }
    // The page leaves first, so that it does not reconnect to a session
    // of the same name once the session ends.
    await page.goto("about:blank").catch(() => {});
    await panel.end().catch(() => {});
    if (failing) {
      throw new Error(`${problems.length} protocol problem${problems.length === 1 ? "" : "s"} in the messages of ${extensionKey || "the extensions"} ` +
        "(cpsim test fails on them too; the option failOnProblems: false only reports them):\n" + problems.join("\n"));
    }
  },
}));
