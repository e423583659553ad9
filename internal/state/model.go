package state

import (
	"maps"
	"slices"
	"time"
)

// Channels an interaction can be on. The seed's channel_type enum has no sms
// or whatsapp: cpsim sends those as channel_type "chat" with
// channel_sub_type "sms" or "whatsapp" (see docs/spec-notes.md).
const (
	Phone    = "phone"
	Chat     = "chat"
	Email    = "email"
	SMS      = "sms"
	WhatsApp = "whatsapp"
)

// Channels lists every channel in the order the page shows them.
func Channels() []string { return []string{Phone, Chat, Email, SMS, WhatsApp} }

// Interaction statuses (the schema's interaction.status).
const (
	StatusQueued   = "queued"
	StatusIncoming = "incoming"
	StatusOutgoing = "outgoing"
	StatusAccepted = "accepted"
	StatusRejected = "rejected"
	StatusHandled  = "handled"
	StatusEnded    = "ended"
)

// Channel statuses the engine moves through (a subset of the schema's
// interaction.channel_status; an outcome may set any failure of the enum).
const (
	CSKnocking     = "knocking" // waiting in a queue
	CSRinging      = "ringing"  // offered to the agent
	CSCalling      = "calling"  // outgoing, not yet answered
	CSConnected    = "connected"
	CSOnHold       = "onhold"
	CSMuted        = "muted"
	CSDisconnected = "disconnected"
	CSRejected     = "rejected"
	CSTransferring = "transferring"
	// An extension's outbound SMS, WhatsApp or email without direct: a
	// draft the agent sends (connected) or discards (outbound_rejected).
	CSOutboundPreview  = "outbound_preview"
	CSOutboundRejected = "outbound_rejected"
)

// capacity is how many interactions of a channel routing offers the agent
// at once, counting those offered and those in hand not yet ended: one
// call (the agent has one softphone), three conversations of each text
// channel, three emails. The agent's own outbound and picks are not
// limited: they are the agent's choice (see docs/spec-notes.md).
var capacity = map[string]int{Phone: 1, Chat: 3, SMS: 3, WhatsApp: 3, Email: 3}

// Outcomes lists the results an outgoing call can have: connected, or one of
// the schema's channel statuses that end a call attempt.
func Outcomes() []string {
	return []string{
		"connected", "busy", "no_answer", "bad_address", "barred", "congestion",
		"queue_closed", "queue_full", "rejected", "system_error",
		"temporary_failure", "unreachable",
	}
}

// User is the schema's user definition: the agent as extensions see it.
type User struct {
	ID               string       `json:"id"`
	Name             UserName     `json:"name"`
	Username         string       `json:"username"`
	Alias            string       `json:"alias"`
	LoginStatus      string       `json:"login_status"`
	VisibleANumber   string       `json:"visible_a_number"`
	WorkStatus       string       `json:"work_status"`
	DailyPauseTime   string       `json:"daily_pause_time"`
	DailyWorkTime    string       `json:"daily_work_time"`
	DefaultEmailFrom string       `json:"default_email_from"`
	DefaultSMSFrom   string       `json:"default_sms_from"`
	Presence         string       `json:"presence"`
	PresenceProfiles []Profile    `json:"presence_profiles"`
	ChatAddress      string       `json:"chat_address"`
	Extension        string       `json:"extension"`
	Language         string       `json:"language"`
	Permissions      Permissions  `json:"permissions"`
	TerminalID       string       `json:"terminal_id"`
	Phone            UserPhone    `json:"phone"`
	Capabilities     Capabilities `json:"capabilities"`
}

// UserName is the agent's name.
type UserName struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// Profile is a presence profile.
type Profile struct {
	Type         string           `json:"type"`
	Name         string           `json:"name"`
	ID           string           `json:"id"`
	Availability string           `json:"availability"`
	Settings     *ProfileSettings `json:"settings,omitempty"`
}

// ProfileSettings are a presence profile's details.
type ProfileSettings struct {
	Reason           string `json:"reason"`
	DefaultBehaviour string `json:"default_behaviour"`
	Duration         string `json:"duration"`
	Priority         string `json:"priority"`
}

// Permissions are what the agent may do.
type Permissions struct {
	ECFPhone             bool   `json:"ecf_phone"`
	Phone                bool   `json:"phone"`
	MTD                  bool   `json:"mtd"`
	Recording            string `json:"recording"` // enabled | disabled | hidden
	UpdateVisibleANumber bool   `json:"update_visible_a_number"`
	Video                bool   `json:"video"`
}

// UserPhone is the agent's softphone.
type UserPhone struct {
	SIPHost      string   `json:"sip_host"`
	SIPConnected bool     `json:"sip_connected"`
	Extension    string   `json:"extension"`
	SIPProxies   []string `json:"sip_proxies"`
}

// Capabilities are the agent's media capabilities.
type Capabilities struct {
	VideoChat bool `json:"video_chat"`
	Phone     bool `json:"phone"`
}

// Queue is the schema's queue definition, with the addresses production's
// queues carry. Type is the channel type as production's client library
// filters queues by it (CPC.js getCurrentUserQueues: phone, chat or
// email): an SMS or WhatsApp queue is a chat queue, with ChannelSubType
// saying which, as its interactions are (docs/spec-notes.md #6).
// Addresses holds the queue's address, [{"address": "+358201230100"}]:
// CPC.js callOut accepts a source number only when a phone queue's
// addresses list holds it.
type Queue struct {
	ID                          string         `json:"id"`
	Name                        string         `json:"name"`
	Serve                       bool           `json:"serve"`
	ForcedToServe               bool           `json:"forced_to_serve"`
	Type                        string         `json:"type"`
	ChannelSubType              string         `json:"channel_sub_type,omitempty"`
	Addresses                   []QueueAddress `json:"addresses"`
	AutoPWTime                  float64        `json:"queue_autopwtime"`
	MaxPickTimeout              float64        `json:"queue_maxpicktimeout"`
	AnswerInfo                  string         `json:"queue_answerinfo,omitempty"`
	ThresholdMaxWaitTimeWarning float64        `json:"threshold_max_wait_time_warning"`
	ThresholdMaxWaitTimeCrit    float64        `json:"threshold_max_wait_time_critical"`

	channel string // phone, chat, email, sms or whatsapp
	address string // where customers reach it; the sender of outbound
}

// QueueAddress is one address of a queue: a number, a chat address or an
// email address.
type QueueAddress struct {
	Address string `json:"address"`
}

// QueueRef is how an interaction names its queue (from_queue, orig_queue).
type QueueRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Address is an email address with an optional name.
type Address struct {
	Address string `json:"address"`
	Name    string `json:"name,omitempty"`
}

// Participant is a party of a chat conversation.
type Participant struct {
	UniqueKey  string `json:"uniquekey"`
	Alias      string `json:"alias"`
	Status     string `json:"status"` // typing | not_typing
	Capability string `json:"capability"`
}

// TranscriptMessage is one message of a conversation.
type TranscriptMessage struct {
	ID         string `json:"id"`
	Message    string `json:"message"`
	Timestamp  string `json:"timestamp"`
	Originator string `json:"originator"`
}

// Transcript is an interaction's conversation.
type Transcript struct {
	Messages []TranscriptMessage `json:"messages"`
}

// Interaction is the schema's interaction definition, plus the engine's own
// bookkeeping in unexported fields that never reach the wire.
type Interaction struct {
	ID                  string         `json:"id"`
	ChannelType         string         `json:"channel_type"`
	ChannelSubType      string         `json:"channel_sub_type,omitempty"`
	ChannelStatus       string         `json:"channel_status"`
	DateCreated         string         `json:"date_created"`
	Status              string         `json:"status"`
	Originator          string         `json:"originator"`
	Destination         string         `json:"destination"`
	Recording           *bool          `json:"recording,omitempty"`
	ConsultFor          string         `json:"consult_for,omitempty"`
	ConferenceID        string         `json:"conference_id,omitempty"`
	FromQueue           QueueRef       `json:"from_queue"`
	OrigQueue           *QueueRef      `json:"orig_queue,omitempty"`
	AttachedData        map[string]any `json:"attached_data"`
	Title               string         `json:"title"`
	IncomingDestination string         `json:"incoming_destination,omitempty"`
	WaitingTime         *float64       `json:"iswtf,omitempty"`
	Participants        []Participant  `json:"participants,omitempty"`
	Transcript          *Transcript    `json:"transcript,omitempty"`
	TerminalID          string         `json:"terminal_id,omitempty"`
	Content             string         `json:"content,omitempty"`
	FromAddress         *Address       `json:"from_address,omitempty"`
	ToAddress           []Address      `json:"to_address,omitempty"`
	CcAddress           []Address      `json:"cc_address,omitempty"`
	BccAddress          []Address      `json:"bcc_address,omitempty"`

	channel   string // phone, chat, email, sms or whatsapp
	outbound  bool
	held      bool
	muted     bool
	consult   *Interaction     // the consultation this interaction is waiting on
	draft     *OutboundRequest // what the agent will send, while it is a draft
	queue     *Queue
	createdAt time.Time
	dtmf      []string // tones the agent sent, newest last
}

// clone returns a deep copy, so that a message keeps the interaction as it
// was when the message was produced.
func (it *Interaction) clone() *Interaction {
	c := *it
	c.AttachedData = cloneMap(it.AttachedData)
	if it.Recording != nil {
		r := *it.Recording
		c.Recording = &r
	}
	if it.OrigQueue != nil {
		q := *it.OrigQueue
		c.OrigQueue = &q
	}
	if it.WaitingTime != nil {
		w := *it.WaitingTime
		c.WaitingTime = &w
	}
	c.Participants = slices.Clone(it.Participants)
	if it.Transcript != nil {
		c.Transcript = &Transcript{Messages: slices.Clone(it.Transcript.Messages)}
	}
	if it.FromAddress != nil {
		a := *it.FromAddress
		c.FromAddress = &a
	}
	c.ToAddress = slices.Clone(it.ToAddress)
	c.CcAddress = slices.Clone(it.CcAddress)
	c.BccAddress = slices.Clone(it.BccAddress)
	c.dtmf = slices.Clone(it.dtmf)
	if it.draft != nil {
		d := it.draft.clone()
		c.draft = &d
	}
	return &c
}

// cloneMap deep-copies caller data, which holds only JSON values.
func cloneMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneJSON(v)
	}
	return c
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = cloneJSON(e)
		}
		return c
	}
	return v
}

// Channel is the interaction's channel: phone, chat, email, sms or whatsapp.
func (it *Interaction) Channel() string { return it.channel }

// inProgress reports whether the agent is in a live conversation on it:
// accepted or outgoing, and connected (held and muted calls still are).
func (it *Interaction) inProgress() bool {
	if it.Status != StatusAccepted && it.Status != StatusOutgoing {
		return false
	}
	switch it.ChannelStatus {
	case CSConnected, CSOnHold, CSMuted:
		return true
	}
	return false
}

// conversation reports whether the channel carries a transcript of
// messages.
func conversation(channel string) bool {
	return channel == Chat || channel == SMS || channel == WhatsApp
}

// mediaStatus is the channel status a connected call shows for its hold and
// mute flags: hold wins, since a held caller hears nothing either way.
func (it *Interaction) mediaStatus() string {
	switch {
	case it.held:
		return CSOnHold
	case it.muted:
		return CSMuted
	}
	return CSConnected
}

// ExtensionInfo is the schema's extension definition, with the expanded
// flag that the seed's detail example returns.
type ExtensionInfo struct {
	Key      string `json:"key"`
	Icon     string `json:"icon"`
	Text     string `json:"text"`
	URL      string `json:"url"`
	Visible  bool   `json:"visible"`
	External bool   `json:"external"`
	Enabled  bool   `json:"enabled"`
	Expanded bool   `json:"expanded"`
}

// Mode is how an extension is loaded.
type Mode string

// The modes of the seed: one instance per accepted interaction, or one
// hidden instance from login to logout.
const (
	ModeInteraction Mode = "interaction"
	ModeGlobal      Mode = "global"
)

// Extension is a configured extension.
type Extension struct {
	Key      string
	Text     string
	Icon     string
	URL      string
	Mode     Mode
	Queues   []string // queue names it is configured for; empty means all
	Visible  bool
	Enabled  bool
	Expanded bool
	Ordinal  int // the sidebar's order (ExtensionData.Ordinal)
}

// servesQueue reports whether an interaction-specific extension is
// configured for q.
func (e *Extension) servesQueue(q *Queue) bool {
	return len(e.Queues) == 0 || slices.Contains(e.Queues, q.Name)
}

// Phase is where an extension instance is in its lifecycle.
type Phase string

// The phases of an instance. Loaded and Exited instances cache what the
// panel produces for them until the extension sends init.
const (
	PhaseLoaded Phase = "loaded" // started, init not yet received
	PhaseReady  Phase = "ready"  // init received: messages are delivered
	PhaseExited Phase = "exited" // the extension sent exit: caching again
	PhaseClosed Phase = "closed" // the panel sent exit: the instance is gone
)

// instance is one loaded copy of an extension: a global one lives from
// login to logout, an interaction-specific one from the accept of its
// interaction to its handling.
type instance struct {
	id          string
	ext         *Extension
	interaction *Interaction // nil for a global instance
	visible     bool
	enabled     bool
	expanded    bool
	phase       Phase
	cache       cache // until init (cache.go)
	host        bool  // the embedding host (embedhost.go), not an extension
}

// global reports whether an instance is a global extension's: not bound to
// an interaction, and not the embedding host, which acts with the panel's
// reach instead.
func (in *instance) global() bool { return in.interaction == nil && !in.host }

func (in *instance) info() ExtensionInfo {
	return ExtensionInfo{
		Key:      in.ext.Key,
		Icon:     in.ext.Icon,
		Text:     in.ext.Text,
		URL:      in.ext.URL,
		Visible:  in.visible,
		External: true,
		Enabled:  in.enabled,
		Expanded: in.expanded,
	}
}

func copyAttached(dst, src map[string]any) {
	maps.Copy(dst, cloneMap(src))
}
