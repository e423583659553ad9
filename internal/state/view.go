package state

import (
	"maps"
	"slices"
)

// View is everything the host page shows of a session: a snapshot that
// shares nothing with the live model, so it can be marshalled after the
// session has moved on.
type View struct {
	User            User              `json:"user"`
	PhoneStatus     string            `json:"phone_status"`
	Profile         string            `json:"profile"` // the active presence profile's name
	Queues          []QueueView       `json:"queues"`
	Interactions    []InteractionView `json:"interactions"`
	Instances       []InstanceView    `json:"instances"`
	Active          string            `json:"active,omitempty"`
	ActiveExtension string            `json:"active_extension,omitempty"`
	Faults          FaultsView        `json:"faults"`
}

// InteractionView is an interaction with what the page needs beyond the
// wire object.
type InteractionView struct {
	*Interaction
	Channel   string   `json:"channel"`
	Held      bool     `json:"held"`
	Muted     bool     `json:"muted"`
	Outbound  bool     `json:"outbound"`
	Consult   string   `json:"consult,omitempty"` // the consultation it waits on
	DTMF      []string `json:"dtmf,omitempty"`
	Instances []string `json:"instances"`
	// Draft is what the agent will send, while the interaction is an
	// extension's outbound draft (outgoing / outbound_preview).
	Draft *OutboundRequest `json:"draft,omitempty"`
	// EarlierMessages counts the transcript's messages before the latest
	// ViewMessages, which are all the view carries: a long chat's view
	// stays small however long it runs (extensions still get the whole
	// transcript in every state message, as the API says).
	EarlierMessages int `json:"earlier_messages,omitempty"`
}

// ViewMessages is the most transcript messages an interaction's view
// carries: the latest.
const ViewMessages = 200

// QueueView is a queue with its channel as the page names channels: the
// wire's type says chat for an SMS or WhatsApp queue.
type QueueView struct {
	Queue
	Channel string `json:"channel"`
}

// InstanceView is an extension instance as the page shows it.
type InstanceView struct {
	ID          string `json:"id"`
	Key         string `json:"key"`
	Text        string `json:"text"`
	Icon        string `json:"icon"`
	URL         string `json:"url"`
	Mode        Mode   `json:"mode"`
	Interaction string `json:"interaction,omitempty"`
	Visible     bool   `json:"visible"`
	Enabled     bool   `json:"enabled"`
	Expanded    bool   `json:"expanded"`
	Ordinal     int    `json:"ordinal"` // the sidebar's order: lower first, ties by text
	Phase       Phase  `json:"phase"`
	Cached      int    `json:"cached"`
}

// FaultsView lists the injected faults.
type FaultsView struct {
	FailNextInit string            `json:"fail_next_init,omitempty"`
	Fail         map[string]string `json:"fail,omitempty"`
	Delay        map[string]string `json:"delay,omitempty"`
}

func (in *instance) view() InstanceView {
	v := InstanceView{
		ID:       in.id,
		Key:      in.ext.Key,
		Text:     in.ext.Text,
		Icon:     in.ext.Icon,
		URL:      in.ext.URL,
		Mode:     in.ext.Mode,
		Visible:  in.visible,
		Enabled:  in.enabled,
		Expanded: in.expanded,
		Ordinal:  in.ext.Ordinal,
		Phase:    in.phase,
		Cached:   len(in.cache.items),
	}
	if in.interaction != nil {
		v.Interaction = in.interaction.ID
	}
	return v
}

// View returns a snapshot of the session for the page.
func (s *Session) View() View {
	v := View{
		User:         s.userNow(),
		PhoneStatus:  "disconnected",
		Interactions: []InteractionView{},
		Instances:    []InstanceView{},
	}
	// The day's times change every second: left in, they would make every
	// view a new one, and the page does not show them.
	v.User.DailyWorkTime, v.User.DailyPauseTime = "", ""
	v.User.PresenceProfiles = slices.Clone(v.User.PresenceProfiles)
	v.User.Phone.SIPProxies = slices.Clone(v.User.Phone.SIPProxies)
	if s.user.Phone.SIPConnected {
		v.PhoneStatus = "connected"
	}
	if p := s.currentProfile(); p != nil {
		v.Profile = p.Name
	}
	for _, q := range s.queues {
		qv := QueueView{Queue: *q, Channel: q.channel}
		qv.Addresses = slices.Clone(q.Addresses)
		v.Queues = append(v.Queues, qv)
	}
	for _, it := range s.interactions {
		iv := InteractionView{
			Interaction: it.clone(),
			Channel:     it.channel,
			Held:        it.held,
			Muted:       it.muted,
			Outbound:    it.outbound,
			DTMF:        slices.Clone(it.dtmf),
			Instances:   []string{},
		}
		if t := iv.Transcript; t != nil && len(t.Messages) > ViewMessages {
			iv.EarlierMessages = len(t.Messages) - ViewMessages
			t.Messages = t.Messages[iv.EarlierMessages:]
		}
		if it.consult != nil {
			iv.Consult = it.consult.ID
		}
		if it.draft != nil {
			d := it.draft.clone()
			iv.Draft = &d
		}
		for _, in := range s.instances {
			if in.interaction == it {
				iv.Instances = append(iv.Instances, in.id)
			}
		}
		v.Interactions = append(v.Interactions, iv)
	}
	for _, in := range s.instances {
		v.Instances = append(v.Instances, in.view())
	}
	if s.active != nil {
		v.Active = s.active.ID
	}
	if s.activeExt != nil {
		v.ActiveExtension = s.activeExt.id
	}
	if s.faults.failNextInit != nil {
		v.Faults.FailNextInit = *s.faults.failNextInit
	}
	if len(s.faults.fail) > 0 {
		v.Faults.Fail = maps.Clone(s.faults.fail)
	}
	if len(s.faults.delay) > 0 {
		v.Faults.Delay = map[string]string{}
		for k, d := range s.faults.delay {
			v.Faults.Delay[k] = d.String()
		}
	}
	return v
}

// Instances lists the live instances, in start order.
func (s *Session) Instances() []InstanceView {
	out := make([]InstanceView, 0, len(s.instances))
	for _, in := range s.instances {
		out = append(out, in.view())
	}
	return out
}

// Interaction returns a copy of an interaction in the panel.
func (s *Session) Interaction(id string) (*Interaction, bool) {
	for _, it := range s.interactions {
		if it.ID == id {
			return it.clone(), true
		}
	}
	return nil, false
}
