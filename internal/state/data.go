package state

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/cpsim/cpsim/internal/suggest"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// Data is what a session starts from: the agent, the queues and the
// configured extensions. It is what a config file (and a scenario's
// starting data) holds; internal/config reads it, and the yaml tags here
// name its keys.
type Data struct {
	Agent      AgentData       `yaml:"agent"`
	Queues     []QueueData     `yaml:"queues"`
	Extensions []ExtensionData `yaml:"extensions"`
}

// AgentData describes the agent. Ids are derived from the username unless
// given.
type AgentData struct {
	ID               string        `yaml:"id"`
	FirstName        string        `yaml:"first_name"`
	LastName         string        `yaml:"last_name"`
	Username         string        `yaml:"username"`
	Alias            string        `yaml:"alias"`
	Extension        string        `yaml:"extension"`
	Language         string        `yaml:"language"`
	LoginStatus      string        `yaml:"login_status"`
	WorkStatus       string        `yaml:"work_status"`
	PhoneStatus      string        `yaml:"phone_status"`
	Profile          string        `yaml:"profile"`
	Profiles         []ProfileData `yaml:"profiles"`
	VisibleANumber   string        `yaml:"visible_a_number"`
	DefaultEmailFrom string        `yaml:"default_email_from"`
	DefaultSMSFrom   string        `yaml:"default_sms_from"`
	ChatAddress      string        `yaml:"chat_address"`
	SIPHost          string        `yaml:"sip_host"`
	SIPProxies       []string      `yaml:"sip_proxies"`
	TerminalID       string        `yaml:"terminal_id"`
	Recording        string        `yaml:"recording"` // permission: enabled, disabled or hidden
	Video            bool          `yaml:"video"`
	Pos              yamlx.Pos
}

// ProfileData describes a presence profile.
type ProfileData struct {
	ID           string `yaml:"id"`
	Name         string `yaml:"name"`
	Type         string `yaml:"type"`         // presence, absence, conference or unknown
	Availability string `yaml:"availability"` // FREE, TENTATIVE, AWAY or empty
	Reason       string `yaml:"reason"`
	Duration     string `yaml:"duration"`
	Pos          yamlx.Pos
}

// QueueData describes a queue.
type QueueData struct {
	ID            string        `yaml:"id"`
	Name          string        `yaml:"name"`
	Channel       string        `yaml:"channel"`
	Address       string        `yaml:"address"`
	Serve         *bool         `yaml:"serve"` // default true
	ForcedToServe bool          `yaml:"forced_to_serve"`
	WrapUp        time.Duration `yaml:"wrap_up"`
	PickTimeout   time.Duration `yaml:"pick_timeout"`
	Pos           yamlx.Pos
}

// ExtensionData describes a configured extension.
type ExtensionData struct {
	Key      string   `yaml:"key"`
	Text     string   `yaml:"text"`
	Icon     string   `yaml:"icon"`
	URL      string   `yaml:"url"`
	Mode     string   `yaml:"mode"`   // interaction (default) or global
	Queues   []string `yaml:"queues"` // queue names; empty means every queue
	Visible  *bool    `yaml:"visible"`
	Enabled  *bool    `yaml:"enabled"`
	Expanded *bool    `yaml:"expanded"`
	// Ordinal places the extension in the panel's sidebar, as the System
	// Configurator's ordinal does: 1 to 100, lower first; 0 (or left
	// out) before every numbered one; ties by title.
	Ordinal int `yaml:"ordinal"`
	Pos     yamlx.Pos
}

// MaxOrdinal is the highest ordinal the System Configurator allows.
const MaxOrdinal = 100

var (
	idPattern     = regexp.MustCompile(`^[a-zA-Z0-9]{32}$`)
	loginStatuses = []string{"logged_in", "logged_out"}
	workStatuses  = []string{"ready", "not_ready", "wrap_up"}
	phoneStatuses = []string{"connected", "disconnected"}
	profileTypes  = []string{"presence", "absence", "conference", "unknown"}
	availability  = []string{"FREE", "TENTATIVE", "AWAY", ""}
	recordingPerm = []string{"enabled", "disabled", "hidden"}
)

// oneOf checks that v is one of allowed, and says what is allowed if not.
func oneOf(file string, p yamlx.Pos, field, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	e := yamlx.At(file, p, "%s %q is not allowed", field, v)
	var quoted []string
	for _, a := range allowed {
		quoted = append(quoted, fmt.Sprintf("%q", a))
	}
	e.Hint = "use one of " + strings.Join(quoted, ", ")
	if hint := suggest.Hint(v, allowed); hint != "" && v != "" {
		e.Hint = hint
	}
	return e
}

func checkID(file string, p yamlx.Pos, what, id string) error {
	if id == "" || idPattern.MatchString(id) {
		return nil
	}
	e := yamlx.At(file, p, "the %s id %q is not 32 letters and digits", what, id)
	e.Hint = "leave it out and cpsim derives one from the name"
	return e
}

// Check reports the first thing in d that cpsim cannot run with, at its
// position in file.
func (d *Data) Check(file string) error {
	a := &d.Agent
	if a.Username == "" {
		return yamlx.At(file, a.Pos, "the agent needs a username")
	}
	if err := checkID(file, a.Pos, "agent", a.ID); err != nil {
		return err
	}
	if a.TerminalID != "" && !idPattern.MatchString(a.TerminalID) {
		return yamlx.At(file, a.Pos, "terminal_id %q is not 32 letters and digits", a.TerminalID)
	}
	if err := oneOf(file, a.Pos, "login_status", a.LoginStatus, loginStatuses); err != nil {
		return err
	}
	if err := oneOf(file, a.Pos, "work_status", a.WorkStatus, workStatuses); err != nil {
		return err
	}
	if err := oneOf(file, a.Pos, "phone_status", a.PhoneStatus, phoneStatuses); err != nil {
		return err
	}
	if err := oneOf(file, a.Pos, "recording", a.Recording, recordingPerm); err != nil {
		return err
	}
	if len(a.Profiles) == 0 {
		return yamlx.At(file, a.Pos, "the agent needs at least one presence profile")
	}
	var names []string
	for _, p := range a.Profiles {
		if p.Name == "" {
			return yamlx.At(file, p.Pos, "a presence profile needs a name")
		}
		if slices.Contains(names, p.Name) {
			return yamlx.At(file, p.Pos, "two presence profiles are named %q", p.Name)
		}
		names = append(names, p.Name)
		if err := oneOf(file, p.Pos, "profile type", p.Type, profileTypes); err != nil {
			return err
		}
		if err := oneOf(file, p.Pos, "availability", p.Availability, availability); err != nil {
			return err
		}
		if err := checkID(file, p.Pos, "profile", p.ID); err != nil {
			return err
		}
	}
	if err := oneOf(file, a.Pos, "profile", a.Profile, names); err != nil {
		return err
	}
	if a.WorkStatus == "ready" {
		for _, p := range a.Profiles {
			if p.Name == a.Profile && p.Type == "absence" {
				return yamlx.At(file, a.Pos, "the agent cannot be ready in the absence profile %q", p.Name)
			}
		}
	}

	if len(d.Queues) == 0 {
		return yamlx.At(file, yamlx.Pos{}, "there must be at least one queue")
	}
	var queues []string
	for _, q := range d.Queues {
		if q.Name == "" {
			return yamlx.At(file, q.Pos, "a queue needs a name")
		}
		if slices.Contains(queues, q.Name) {
			return yamlx.At(file, q.Pos, "two queues are named %q", q.Name)
		}
		queues = append(queues, q.Name)
		if err := oneOf(file, q.Pos, "channel", q.Channel, Channels()); err != nil {
			return err
		}
		if err := checkID(file, q.Pos, "queue", q.ID); err != nil {
			return err
		}
	}

	var keys []string
	for _, e := range d.Extensions {
		if strings.TrimSpace(e.Key) == "" {
			return yamlx.At(file, e.Pos, "an extension needs a key")
		}
		if strings.ContainsFunc(e.Key, unicode.IsControl) {
			return yamlx.At(file, e.Pos, "extension key %q holds control characters", e.Key)
		}
		if slices.Contains(keys, e.Key) {
			return yamlx.At(file, e.Pos, "two extensions have the key %q", e.Key)
		}
		keys = append(keys, e.Key)
		if err := CheckExtensionURL(e.URL); err != nil {
			return yamlx.At(file, e.Pos, "extension %s: %v", e.Key, err)
		}
		if err := oneOf(file, e.Pos, "mode", e.Mode, []string{"", string(ModeInteraction), string(ModeGlobal)}); err != nil {
			return err
		}
		if e.Mode == string(ModeGlobal) && len(e.Queues) > 0 {
			return yamlx.At(file, e.Pos, "extension %s is global: it lives from login to logout, so it has no queues", e.Key)
		}
		for _, q := range e.Queues {
			if err := oneOf(file, e.Pos, "queue", q, queues); err != nil {
				return err
			}
		}
		if e.Ordinal < 0 || e.Ordinal > MaxOrdinal {
			err := yamlx.At(file, e.Pos, "extension %s: ordinal %d is not allowed", e.Key, e.Ordinal)
			err.Hint = fmt.Sprintf("use 0 to %d: 1 to %d list in that order, 0 or none first", MaxOrdinal, MaxOrdinal)
			return err
		}
	}
	return nil
}

// CheckExtensionURL reports whether u can be loaded in an iframe: an
// absolute http or https URL.
func CheckExtensionURL(u string) error {
	if u == "" {
		return fmt.Errorf("the url is missing")
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("the url %q does not parse: %w", u, err)
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return fmt.Errorf("the url %q must start with http:// or https://", u)
	}
	if p.Host == "" {
		return fmt.Errorf("the url %q has no host", u)
	}
	return nil
}

// build turns checked data into the session's model.
func (s *Session) build(d *Data) {
	a := d.Agent
	pick := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	u := &s.user
	*u = User{
		ID:               pick(a.ID, nameID("user", a.Username)),
		Name:             UserName{FirstName: a.FirstName, LastName: a.LastName},
		Username:         a.Username,
		Alias:            pick(a.Alias, a.FirstName),
		LoginStatus:      a.LoginStatus,
		VisibleANumber:   pick(a.VisibleANumber, a.Extension),
		WorkStatus:       a.WorkStatus,
		DefaultEmailFrom: a.DefaultEmailFrom,
		DefaultSMSFrom:   a.DefaultSMSFrom,
		ChatAddress:      a.ChatAddress,
		Extension:        a.Extension,
		Language:         pick(a.Language, "en"),
		Permissions: Permissions{
			ECFPhone:             true,
			Phone:                true,
			MTD:                  false,
			Recording:            a.Recording,
			UpdateVisibleANumber: true,
			Video:                a.Video,
		},
		TerminalID: pick(a.TerminalID, nameID("terminal", a.Username)),
		Phone: UserPhone{
			SIPHost:      a.SIPHost,
			SIPConnected: a.PhoneStatus == "connected",
			Extension:    a.Extension,
			SIPProxies:   slices.Clone(a.SIPProxies),
		},
		Capabilities: Capabilities{VideoChat: a.Video, Phone: true},
	}
	if u.Phone.SIPProxies == nil {
		u.Phone.SIPProxies = []string{}
	}
	for _, p := range a.Profiles {
		prof := Profile{
			Type:         p.Type,
			Name:         p.Name,
			ID:           pick(p.ID, nameID("profile", p.Name)),
			Availability: p.Availability,
		}
		if p.Reason != "" || p.Duration != "" {
			prof.Settings = &ProfileSettings{
				Reason:           p.Reason,
				DefaultBehaviour: "manual",
				Duration:         pick(p.Duration, "0"),
				Priority:         "1",
			}
		}
		u.PresenceProfiles = append(u.PresenceProfiles, prof)
		if p.Name == a.Profile {
			u.Presence = prof.ID
		}
	}
	for _, q := range d.Queues {
		serve := q.Serve == nil || *q.Serve
		typ, sub := channelType(q.Channel)
		address := pick(q.Address, q.Name)
		s.queues = append(s.queues, &Queue{
			ID:                          pick(q.ID, nameID("queue", q.Name)),
			Name:                        q.Name,
			Serve:                       serve || q.ForcedToServe,
			ForcedToServe:               q.ForcedToServe,
			Type:                        typ,
			ChannelSubType:              sub,
			Addresses:                   []QueueAddress{{Address: address}},
			AutoPWTime:                  q.WrapUp.Seconds(),
			MaxPickTimeout:              orSeconds(q.PickTimeout, 30*time.Second),
			ThresholdMaxWaitTimeWarning: 60,
			ThresholdMaxWaitTimeCrit:    180,
			channel:                     q.Channel,
			address:                     address,
		})
	}
	for _, e := range d.Extensions {
		mode := Mode(e.Mode)
		if mode == "" {
			mode = ModeInteraction
		}
		global := mode == ModeGlobal
		s.exts = append(s.exts, &Extension{
			Key:  e.Key,
			Text: pick(e.Text, e.Key),
			Icon: pick(e.Icon, "sap-icon://puzzle"),
			URL:  e.URL,
			Mode: mode,
			// A global extension is hidden: it has no sidebar button.
			Queues:   slices.Clone(e.Queues),
			Visible:  !global && boolOr(e.Visible, true),
			Enabled:  boolOr(e.Enabled, true),
			Expanded: !global && boolOr(e.Expanded, true),
			Ordinal:  e.Ordinal,
		})
	}
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func orSeconds(d, def time.Duration) float64 {
	if d == 0 {
		d = def
	}
	return d.Seconds()
}
