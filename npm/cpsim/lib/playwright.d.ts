// The types of the Playwright fixture (lib/playwright.js),
// `import { test, expect } from "cpsim/playwright"`.

import type {
  FrameLocator,
  Locator,
  Page,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
  TestType,
} from "@playwright/test";
import type { Cpsim, EventAnswer, Instance, StartOptions } from "./client.js";
import { Session } from "./client.js";

export { expect } from "@playwright/test";

/** Extension is an extension in the panel of a test's page: its iframe, and opening it as the agent does. */
export declare class Extension {
  constructor(panel: Panel, which: { key?: string; url?: string });
  readonly panel: Panel;
  /** the extension's key, when it is chosen by key */
  readonly key: string | undefined;
  /** the extension's URL, when it is chosen by URL */
  readonly url: string | undefined;
  /** the instance open() opened last */
  instance: string | undefined;
  /** the CSS selector of its iframe: the instance open() opened, or, before, the iframe the panel shows */
  selector(): string;
  /** its iframe's content, to find elements in: panel.extension.frame().getByText("C-1") */
  frame(): FrameLocator;
  /** its iframe element in the panel's page */
  iframe(): Locator;
  /** find finds its instance for an interaction (default: the last one created, or the active one) in the session's view. */
  find(interaction?: string): Promise<Instance | undefined>;
  /**
   * open opens it for an interaction (default: the last one created, or
   * the active one), as the agent does with its sidebar button, so that
   * its iframe shows.
   * @throws {Error} when the interaction has no such extension
   */
  open(interaction?: string): Promise<Instance>;
}

/**
 * Panel is a session shown in the test's page: every Session method and
 * the page and the extension under test. accept and pick also open the
 * extension under test for the interaction, as the agent would click its
 * button; waitForMessage waits the option messageTimeout when not told
 * (within).
 */
export declare class Panel extends Session {
  constructor(panelUrl: string, name: string, page: Page, extension: { key?: string; url?: string }, log: () => string);
  /** the test's page, which shows the panel */
  readonly page: Page;
  /**
   * the extension under test: the option extensionKey's; else the first
   * of cpsimOptions.extensions; else the first expanded extension of the
   * interaction in the sidebar (with cpsim's demos: the customer card)
   */
  readonly extension: Extension;
  /** how long waitForMessage waits when not told, in ms: the option messageTimeout */
  within: number;
  /** another extension of the panel, by key */
  extensionFor(key: string): Extension;
}

/** PanelFixtures are the test-scoped fixtures and options. */
export interface PanelFixtures {
  /** a session of its own for the test, open in its page, connected */
  panel: Panel;
  /** the key of the extension under test (option) */
  extensionKey: string | undefined;
  /**
   * how long panel.waitForMessage waits for a message when not told
   * (within), in milliseconds (option; default 5000, as Playwright's
   * expect; at most 60000). Raise it for a busy CI machine, as its expect
   * timeout: a message that comes is taken at once.
   */
  messageTimeout: number;
  /**
   * fail a test that passed when the extension under test (extensionKey;
   * every extension when it is not set) sent messages with protocol
   * problems: unknown commands or values, schema violations, refused or
   * malformed messages, as cpsim test does (option; default true; false
   * only reports them, in the test's attachments when it fails)
   */
  failOnProblems: boolean;
}

/** CpsimWorkerFixtures are the worker-scoped fixtures and options. */
export interface CpsimWorkerFixtures {
  /** cpsim, started once per worker */
  cpsim: Cpsim;
  /** how cpsim is started (option): extensions, global, config, args, ... */
  cpsimOptions: StartOptions;
}

/** test is @playwright/test's test with the fixtures cpsim and panel. */
export declare const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & PanelFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & CpsimWorkerFixtures
>;

export type { EventAnswer };
