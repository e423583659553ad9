/*
Cpsim simulates the Sinch Contact Center Communication Panel, so that a
third-party extension can be developed, demonstrated and tested with no
contact center behind it.

An extension is an HTML page that the Communication Panel loads in an
iframe and talks to with window.postMessage. Cpsim serves a panel page that
loads the extension exactly so, and answers every message as the panel
would: the init and exit lifecycle with its cache, state and status events
about interactions and the agent, and every action command with its effect.

Usage:

	cpsim [flags]                   serve the panel
	cpsim test [flags] SCENARIO...  run scenarios headless, as extension tests
	cpsim validate FILE...          check scenario files without running them
	cpsim scenarios                 list the built-in scenarios
	cpsim version                   print the version, commit and its date (also -version)

With no flags, cpsim serves the panel at http://127.0.0.1:8080/ with its demo
extensions, served from http://localhost:8081/, another site, as a
customer's extension is in production. Open the panel in a browser, create a
call or a chat with the buttons at the top, accept it, and the extensions
load beside it.

To develop your own extension, point cpsim at it:

	cpsim -extension http://localhost:3000/panel.html

The extension is loaded, interaction-specific, for every queue when the
agent accepts an interaction, and gets exit when the agent handles it.
-global URL loads a global hidden extension from login to logout. Both
repeat. Cpsim loads each URL as the panel will and reports what will go
wrong: a server that does not answer, an X-Frame-Options header or a
Content-Security-Policy frame-ancestors that refuses the panel, or an
extension on the same site as the panel (which hides the third-party cookie
problems production has; open the panel as http://localhost:8080 instead).
It checks at start, again whenever a page connects or an instance loads,
and the page shows what is true now. With extensions given, the demos are
not served unless -demo-addr asks for them.

# Flags

Every flag has an environment twin: -addr is CPSIM_ADDR, -extension is
CPSIM_EXTENSION (URLs separated by spaces or commas), and so on. A flag given
on the command line wins.

	-addr host:port        where the panel listens (127.0.0.1:8080)
	-demo-addr host:port   where the demo extensions are served (localhost:8081), when no extension is given or when set; "" for none
	-panel-url URL         the panel's URL as the browser sees it, behind a container's port mapping
	-demo-url URL          the demos' URL as the browser sees it
	-allowed-host NAME     another host name cpsim answers to; repeatable
	-extension URL         an interaction-specific extension, for every queue; repeatable
	-global URL            a global hidden extension; repeatable
	-config FILE           the agent, queues and extensions, in YAML
	-log-format text|json  the log's format on standard error
	-log-level LEVEL       debug, info, warn or error
	-ready-json            print {"panel": URL, "demo": URL} on stdout once listening, for a program that starts cpsim
	-strict                also validate every message cpsim sends (slower)
	-seed N                reproducible interaction ids
	-dev DIR               serve the page and the demos from DIR (the repository's web/), nothing outside it
	-scenario FILE         play a scenario (a file, or a built-in one's name) in every new page session
	-speed N               divide the waits of scenarios by N
	-patience N            give every expect of a scenario N times its within
	-session-grace D       how long a page's session outlives the page (5m); then it ends and frees its memory
	-max-sessions N        sessions held at once (100); a page past it is refused and told why
	-embed-origin ORIGIN   a CRM page's origin that may embed the panel with CPC.js; repeatable (default: any loopback origin)

# The config file

	agent:                      # fields left out keep the built-in values
	  first_name: Maria
	  last_name: Lindqvist
	  username: maria.lindqvist
	  work_status: ready        # ready, not_ready or wrap_up
	  profile: Available        # one of the profiles
	  profiles:
	    - {name: Available, type: presence, availability: FREE}
	    - {name: Lunch, type: absence, availability: AWAY, reason: Lunch break}
	queues:                     # replaces the built-in queues
	  - {name: Sales, channel: phone, address: "+358201230100"}
	  - {name: Web Chat, channel: chat}
	extensions:
	  - key: crm
	    text: CRM
	    icon: sap-icon://customer
	    url: http://localhost:3000/panel.html
	    queues: [Sales]         # leave out for every queue
	    ordinal: 10             # the sidebar's order: 1 to 100, 0 or none first; ties by text
	  - {key: recorder, url: "http://localhost:3000/recorder.html", mode: global}

A mistake in the file is reported with its file:line:column and a hint.

# Scenarios

A scenario is a YAML file that scripts a call or a chat from start to end,
and what the extension is expected to do meanwhile:

	name: Inbound call, held
	steps:
	  - incoming: {as: call1, channel: phone, queue: Sales, from: "+358401234567"}
	  - accept: call1
	  - expect: {type: init, in: call1, within: 5s}
	  - expect: {type: action, payload: {command: detail, value: user}, within: 3s}
	  - hold: call1
	  - wait: 2s
	  - hangup: call1
	  - handle: call1

docs/scenarios.md in the repository describes every step. cpsim scenarios
lists the eleven built in; the panel page plays them (the Scenarios tab),
and records what the agent does by hand as a scenario file. -scenario FILE
plays one in every new page as soon as it connects, -speed 10 ten times
faster. A mistake in a file is reported with its file:line:column and a
hint, before anything runs; cpsim validate checks files alone.

# Extension tests

	cpsim test -extension http://localhost:3000/panel.html -junit results.xml tests/*.yaml

starts cpsim on free loopback ports, loads the extension in the panel in
headless Chromium (install it with apt-get install -y chromium, or name it
with -chromium), plays each scenario in a page of its own, and checks its
expectations. Before Chromium starts it waits for each extension URL to
answer (-wait, 30s by default) and runs the same check as the server. It
prints every step and a summary, and fails a scenario on the extension's
protocol problems (unknown commands and values, schema violations,
malformed, refused, dropped or unrelayable messages; -problems report only
reports them), on its uncaught exceptions and console errors
(-extension-errors report only reports them), and on extension frames that
did not load, named with Chromium's cause. It writes JUnit XML with -junit.
On a busy CI machine, -patience 3 gives every expect three times its within;
an expect that is met does not wait longer.
A SCENARIO is a file or a built-in one's name; with no -extension, the
customer card and activity monitor demos are tested. docs/chromium.md says
how the browser is run.

# Security

Cpsim listens on 127.0.0.1, and both its listeners (the panel's and the
demos') answer only to the loopback names, the hosts of -panel-url and
-demo-url and each -allowed-host, whatever -addr is: a request for any other
host name is refused with 421, so that a web page cannot reach cpsim by
rebinding its own name. In a container (-addr 0.0.0.0:8080), publish the
ports on 127.0.0.1 (docker run -p 127.0.0.1:8080:8080); to open cpsim to
other machines, publish them on every interface and give the URL they open
as -panel-url and -demo-url. No directory is listed, and -dev DIR serves
through an os.Root: a symlink out of DIR reaches nothing. Its websocket
accepts only the panel page's own origin, and refuses a request with no
Origin header, which browsers always send and other local processes need
not. It holds at most -max-sessions sessions, each ending -session-grace
after its page left, so that abandoned tabs do not hold memory; and it
closes, with a reason, a connection whose frames no panel page sends (frame
numbers out of range, ids too long), so that no frame wedges a session. The
page accepts a message only from the extension's own iframe and origin, and
posts to the extension with its exact origin, never "*".

# Exit status

0 after a clean stop (Ctrl-C or SIGTERM: every extension gets exit and every
page is closed normally), 2 for a wrong flag or config file, 1 for any other
failure. cpsim test: 0 when every scenario passes, 1 when one fails, 2 when
a file or a flag is wrong, an extension URL does not answer within -wait,
or Chromium cannot run. cpsim validate: 0 when
every file is valid, 2 otherwise.
*/
package main
