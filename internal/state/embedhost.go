package state

import (
	"encoding/json"
	"errors"
	"slices"
)

// HostInstance is the endpoint id of the embedding host: the CRM page that
// holds the panel in an iframe and drives it with CPC.js (the embedded
// panel, issue 12). Its messages arrive from, and its deliveries go to,
// this id, as an extension instance's do.
const HostInstance = "host"

// hostExtension describes the embedding host where an instance's extension
// is read (the inspector's key, detail extension). It is no extension of
// the configuration and never listed among the instances.
var hostExtension = Extension{Key: HostInstance, Text: "Embedding host (CRM)", Mode: ModeGlobal}

// EmbedHost makes the session an embedded panel: from now on it has the
// embedding host endpoint (HostInstance), which hears what a global
// extension hears (every state and status, activeInteraction null
// included) and acts with the panel's own reach: message, dtmf, callState
// and interaction without an interactionId act on the active interaction,
// as CPC.js's dtmf and message document. It differs from an extension in
// what the panel posts to it, shaped as CPC.js reads it: the answer to its
// init is a message of type "init" whose payload.value is empty ([]), held
// while the agent is logged out and sent at login (CPC.js init: "Communication
// Panel caches this and sends response once user has logged in"), and every
// message carries a payload object (CPC.js's listener reads payload.type of
// each). Calling it again changes nothing.
func (s *Session) EmbedHost() Output {
	s.begin()
	if s.host == nil {
		s.host = &instance{id: HostInstance, ext: &hostExtension, host: true, phase: PhaseLoaded}
	}
	return s.end()
}

// Embedded reports whether the session has an embedding host (EmbedHost).
func (s *Session) Embedded() bool { return s.host != nil }

// endpoint finds who posted a message: a live extension instance, or the
// embedding host.
func (s *Session) endpoint(id string) *instance {
	if id == HostInstance && s.host != nil {
		return s.host
	}
	return s.instance(id)
}

// postHost hands an event to the embedding host under the cache rules of
// post, when the panel is embedded.
func (s *Session) postHost(d Delivery) {
	if s.host != nil {
		s.post(s.host, d)
	}
}

// hostInit answers the embedding host's init. CPC.js sends payload false
// (drop what was cached); true delivers the cache, as for an extension;
// any other payload is tolerated, since the answer does not depend on it.
// While the agent is logged out the answer waits for the login.
func (s *Session) hostInit(in *instance, id msgID, msg map[string]any) {
	flush, _ := msg["payload"].(bool)
	if s.user.LoginStatus != "logged_in" {
		s.hostInitPending = &pendingHostInit{id: id, flush: flush}
		return
	}
	s.answerHostInit(in, id, flush)
}

// pendingHostInit is an init of the embedding host held until the agent
// logs in.
type pendingHostInit struct {
	id    msgID
	flush bool
}

// answerHostInit posts the init message CPC.js waits for, and makes the
// host ready.
func (s *Session) answerHostInit(in *instance, id msgID, flush bool) {
	s.hostInitPending = nil
	// Not through encode: its self-check holds the panel to the
	// extension API, whose panel never sends init.
	data, _ := json.Marshal(envelope{ID: id.raw, Type: "init", Payload: responsePayload{Value: []any{}}})
	s.deliver(in, Delivery{Data: data, Type: "init", ID: id.text})
	s.fenceLast()
	in.phase = PhaseReady
	s.releaseCache(in, flush, -1)
}

// releaseHostInit answers an init held while the agent was logged out,
// once the agent has logged in.
func (s *Session) releaseHostInit() {
	if p := s.hostInitPending; p != nil && s.host != nil {
		s.answerHostInit(s.host, p.id, p.flush)
	}
}

// hostExit is the panel's exit to the embedding host: with a payload
// object, since CPC.js reads payload.type of every message.
func (s *Session) hostExit() {
	if s.host == nil || s.host.phase == PhaseClosed {
		return
	}
	d := s.encode(s.nextID(), "exit", struct{}{}, "")
	d.Fence = true
	s.deliver(s.host, d)
	s.host.phase = PhaseClosed
	s.cacheTake(s.host)
}

// reloadHost is the embedded page reloading: the host must init again
// (CPC.js calls init whenever the panel's iframe loads), and the events it
// was handed but never got go back in front of its cache.
func (s *Session) reloadHost(back []Delivery) {
	if s.host == nil {
		return
	}
	s.host.phase = PhaseLoaded
	s.hostInitPending = nil
	s.cacheFront(s.host, back)
}

// errHostFlag refuses visible, enabled and expanded from the host.
var errHostFlag = errors.New("visible, enabled and expanded set an extension's sidebar button: the embedding host has none")

// errHostExtension refuses detail extension from the host.
var errHostExtension = errors.New("the embedding host is not an extension: ask detail activeExtension for the one the agent has open")

// ApplyRMI performs a change the CRM made through the Restful Interfaces
// (RMI's PUT presences or readyState, SetProfile or SetWorkStatus): as
// Apply, except that no status event is sent to anyone. CPC.js's
// setPresence and setReady say the panel sends no event for a change
// invoked by RMI (they make one up for their own caller); the page's view
// shows the change.
func (s *Session) ApplyRMI(ev Event) (Output, error) {
	s.quiet = true
	defer func() { s.quiet = false }()
	return s.Apply(ev)
}

// Agent is the agent's id and presence profiles, as RMI's
// GET /agents/{agentId}/presences/ answers them.
func (s *Session) Agent() (id string, profiles []Profile) {
	return s.user.ID, slices.Clone(s.user.PresenceProfiles)
}

// HostReady reports whether the embedding host's init has been answered.
func (s *Session) HostReady() bool { return s.host != nil && s.host.phase == PhaseReady }

// CarryHost makes s embedded as from is, its host ready when from's is:
// a scenario that restarts an embedded session with a new engine keeps
// the CRM attached, since CPC.js inits once per load of the panel.
func (s *Session) CarryHost(from *Session) Output {
	s.begin()
	if from.host != nil && s.host == nil {
		s.host = &instance{id: HostInstance, ext: &hostExtension, host: true, phase: PhaseLoaded}
		if from.HostReady() {
			s.host.phase = PhaseReady
		}
	}
	return s.end()
}

// WithoutHostExit is o without the panel's exit to the embedding host:
// a session that restarts (a scenario starting) keeps its CRM.
func WithoutHostExit(o Output) Output {
	o.Deliveries = slices.DeleteFunc(o.Deliveries, func(d Delivery) bool { return d.To == HostInstance && d.Type == "exit" })
	return o
}
