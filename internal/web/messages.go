package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/messaging"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/tlp"
)

type inboxData struct {
	Box      messaging.Box
	Query    string
	Unread   bool
	Messages []messaging.Message
	Read     map[string]bool
	Pending  []checks.Confirmation // communication checks the person can confirm here
	Pager    pager
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	q := r.URL.Query()
	f := messaging.ListFilter{Box: messaging.Inbox, Query: q.Get("q"), Unread: q.Get("unread") == "yes"}
	if q.Get("box") == string(messaging.Sent) {
		f.Box = messaging.Sent
	}
	d := inboxData{Box: f.Box, Query: f.Query, Unread: f.Unread, Read: map[string]bool{}}
	pg := page{Title: s.printer(r).T("Communications"), Nav: "messages", Data: d}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "inbox", pg, err)
		return
	}
	res, err := s.app.Messaging.Page(r.Context(), a, f, req)
	if err != nil {
		s.listProblem(w, r, "inbox", pg, err)
		return
	}
	msgs := res.Items
	d.Messages, d.Pager = msgs, pagerFor(r, res.Next)
	if f.Box == messaging.Inbox {
		// Which of the messages shown the person has read: one query over
		// this page, not a second list of the inbox.
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		if d.Read, err = s.app.Messaging.ReadFlags(r.Context(), a, ids); err != nil {
			s.renderError(w, r, err)
			return
		}
	} else {
		for _, m := range msgs {
			d.Read[m.ID] = true // what one's own State sent is not news
		}
	}
	if d.Pending, err = s.app.Checks.Pending(r.Context(), a); err != nil {
		s.renderError(w, r, err)
		return
	}
	pg.Data = d
	s.render(w, r, http.StatusOK, "inbox", pg)
}

type composeData struct {
	Types      []messaging.Type
	Template   messaging.Template
	Regions    []regionStates // the States that may be addressed, by regional group
	Urgencies  []messaging.Urgency
	Levels     []messaging.Level
	Labels     []tlp.Label
	Provisions []provisionGroup
	Named      []directory.POC // POCs with an account, who can receive TLP:RED
	Selected   map[string]bool // recipients, provisions and named people ticked
	Limits     messaging.AttachmentLimits
}

// Chosen reports whether anything of a kind ("state:", "named:",
// "prov:") is ticked, so that its list opens by itself.
func (d composeData) Chosen(kind string) bool {
	for k, on := range d.Selected {
		if on && strings.HasPrefix(k, kind) {
			return true
		}
	}
	return false
}

// regionStates is a UN regional group and the States of it a form offers.
type regionStates struct {
	Region string
	States []directory.State
}

// byRegion groups States by UN regional group, in the UN's order of the
// groups, keeping the order of sts within each; a State of no known group
// comes last, in a group of its own.
func byRegion(sts []directory.State) []regionStates {
	var out []regionStates
	at := map[string]int{}
	for _, r := range states.Regions() {
		at[r] = len(out)
		out = append(out, regionStates{Region: r})
	}
	for _, st := range sts {
		i, ok := at[st.Region]
		if !ok {
			i = len(out)
			at[st.Region] = i
			out = append(out, regionStates{Region: st.Region})
		}
		out[i].States = append(out[i].States, st)
	}
	return slices.DeleteFunc(out, func(g regionStates) bool { return len(g.States) == 0 })
}

func (s *Server) composeData(r *http.Request, typ messaging.Type, form url.Values) (composeData, error) {
	a := who(r)
	tmpl, err := s.app.Messaging.Template(r.Context(), typ)
	if err != nil {
		return composeData{}, err
	}
	sts, err := s.app.Directory.States(r.Context(), a)
	if err != nil {
		return composeData{}, err
	}
	d := composeData{Template: tmpl, Urgencies: messaging.Urgencies(), Levels: []messaging.Level{messaging.Technical, messaging.Policy, messaging.Diplomatic, messaging.All},
		Labels: tlp.Labels(), Selected: map[string]bool{}, Limits: s.app.Messaging.AttachmentLimits()}
	for _, t := range messaging.Types() {
		if t.Opening() {
			d.Types = append(d.Types, t)
		}
	}
	var to []directory.State
	for _, st := range sts {
		if st.Participating() && st.Code != a.State {
			to = append(to, st)
		}
	}
	pr := s.printer(r)
	sortStates(pr, to)
	d.Regions = byRegion(to)
	d.Provisions = findingGroups(pr, s.app.Catalog)
	for _, v := range form["recipients"] {
		d.Selected["state:"+v] = true
	}
	for _, v := range form["named"] {
		d.Selected["named:"+v] = true
	}
	// TLP:RED reaches named people only: the POCs other States linked to
	// an account are the people who can be named.
	pocs, err := s.app.Directory.POCs(r.Context(), a, directory.Filter{})
	if err != nil {
		return composeData{}, err
	}
	for _, p := range pocs {
		if p.AccountID != "" && p.State != a.State {
			d.Named = append(d.Named, p)
		}
	}
	provs := form["provisions"]
	if form == nil || (len(provs) == 0 && form.Get("subject") == "") {
		provs = tmpl.Provisions
	}
	for _, p := range provs {
		d.Selected["prov:"+p] = true
	}
	return d, nil
}

func (s *Server) composeForm(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Messaging.CanSend(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	typ := messaging.Type(r.URL.Query().Get("type"))
	if !typ.Opening() {
		typ = messaging.IncidentNotification
	}
	d, err := s.composeData(r, typ, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{"type": {string(typ)}, "urgency": {string(messaging.Priority)}, "tlp": {tlp.Amber.String()}, "level": {string(messaging.Technical)}, "ack": {"yes"}}
	for _, st := range r.URL.Query()["to"] {
		form.Add("recipients", st)
		d.Selected["state:"+st] = true
	}
	s.render(w, r, http.StatusOK, "compose", page{Title: s.printer(r).T("New communication"), Nav: "messages", Form: form, Data: d})
}

func draftFromForm(f url.Values, tmpl messaging.Template) messaging.Draft {
	d := messaging.Draft{
		Type: messaging.Type(f.Get("type")), ReplyTo: f.Get("reply_to"), Recipients: f["recipients"], Level: messaging.Level(f.Get("level")),
		Urgency: messaging.Urgency(f.Get("urgency")), TLP: tlp.Label(f.Get("tlp")), PAP: f.Get("pap"), Subject: f.Get("subject"), Body: f.Get("body"),
		RequestedAction: f.Get("requested_action"), AckRequested: f.Get("ack") == "yes", Exercise: f.Get("exercise") == "yes", Provisions: f["provisions"], Fields: map[string]string{},
		Named: f["named"],
	}
	// The form's radio buttons send a label as TLP 2.0 writes it
	// ("TLP:AMBER"); scripts may send "amber".
	if l, err := tlp.Parse(f.Get("tlp")); err == nil {
		d.TLP = l
	}
	for _, fd := range tmpl.Fields {
		if v := f.Get("f_" + fd.Name); v != "" {
			d.Fields[fd.Name] = v
		}
	}
	return d
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	title := p.T("New communication")
	typ := messaging.Type(r.PostForm.Get("type"))
	if !typ.Opening() {
		d, err := s.composeData(r, messaging.IncidentNotification, r.PostForm)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.renderForm(w, r, "compose", page{Title: title, Nav: "messages", Data: d},
			&errs.Error{Code: errs.Invalid, Message: p.T("please choose the kind of communication"),
				Fields: map[string]string{"type": p.T("choose the kind of communication")}})
		return
	}
	// Changing the kind shows its fields and keeps everything typed; it
	// sends nothing.
	if r.PostForm.Get("change") != "" || (r.PostForm.Get("shown") != "" && r.PostForm.Get("shown") != string(typ)) {
		d, err := s.composeData(r, typ, r.PostForm)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "compose", page{Title: title, Nav: "messages", Data: d, Form: r.PostForm,
			Flash: i18n.M("The form now shows the fields of the template “{template}”. Nothing was sent.", "template", standardText(d.Template.Title))})
		return
	}
	tmpl, err := s.app.Messaging.Template(r.Context(), typ)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := draftFromForm(r.PostForm, tmpl)
	var done func()
	if d.Attachments, done, err = uploads(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	m, err := s.app.Messaging.Send(r.Context(), a, d)
	done()
	if err != nil {
		d, derr := s.composeData(r, typ, r.PostForm)
		if derr != nil {
			s.renderError(w, r, derr)
			return
		}
		s.renderForm(w, r, "compose", page{Title: title, Nav: "messages", Data: d}, err)
		return
	}
	redirect(w, r, "/threads/"+m.ThreadID+"?done=sent#m-"+m.ID)
}

type threadData struct {
	Messages []messaging.Message
	Timeline []timelineEntry
	Last     messaging.Message
	CanReply bool            // the caller may answer (messaging.Service.CanReply)
	CanAck   map[string]bool // messages the caller may acknowledge
	Replies  []messaging.Type
	Template map[messaging.Type]messaging.Template
	Statuses []string // choices of an update's status field
	Limits   messaging.AttachmentLimits
	Fields   map[string][]fact // each message's structured fields, in the template's order
	Incident incidentOffer     // opening an incident from the thread, or adding it to one
}

// fact is one structured field of a message, as the page shows it.
type fact struct{ Label, Value string }

// facts orders m's structured fields as its template does, with their
// labels, in p's language: the standard template's words translated,
// dates written the one way pages write them, yes and no in words. Fields
// a later version dropped follow, under their names.
func facts(p *i18n.Printer, tmpls map[messaging.Type]messaging.Template, m messaging.Message) []fact {
	var out []fact
	done := map[string]bool{}
	for _, f := range tmpls[m.Type].Fields {
		v, ok := m.Fields[f.Name]
		if !ok {
			continue
		}
		done[f.Name] = true
		switch f.Kind {
		case messaging.DateTime:
			if t, ok := messaging.ParseDateTime(v); ok {
				v = p.DateTime(t, time.UTC)
			}
		case messaging.YesNo:
			v = yesNo(p, v)
		case messaging.Choice:
			v = templateText(p, v)
		}
		out = append(out, fact{Label: templateText(p, f.Label), Value: v})
	}
	for _, k := range sortedKeys(m.Fields) {
		if !done[k] {
			out = append(out, fact{Label: strings.ReplaceAll(k, "_", " "), Value: m.Fields[k]})
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// timelineEntry is one line of a thread's timeline: when, and what
// happened in words of the page's language.
type timelineEntry struct {
	At   time.Time
	Text string
}

// eventNames say what each kind of timeline event means.
var eventNames = map[string]i18n.Message{
	"delivered":    i18n.MC("timeline", "Delivered"),
	"reminded":     i18n.MC("timeline", "Reminder sent"),
	"escalated":    i18n.MC("timeline", "Escalated"),
	"acknowledged": i18n.MC("timeline", "Receipt acknowledged"),
	"expired":      i18n.MC("timeline", "No response by the deadline"),
}

// timelineText writes an event with what the timeline knows of it: the
// State concerned, who acted (none for deadlines, which act by
// themselves) and the service's note, translated when the catalogue has
// it.
func timelineText(p *i18n.Printer, event, state, name, note string) string {
	note = p.Known(note)
	switch {
	case state != "" && name != "" && note != "":
		return p.T("{event} ({state}) by {name}: {note}", "event", event, "state", state, "name", name, "note", note)
	case state != "" && note != "":
		return p.T("{event} ({state}): {note}", "event", event, "state", state, "note", note)
	case state != "" && name != "":
		return p.T("{event} ({state}) by {name}", "event", event, "state", state, "name", name)
	case state != "":
		return p.T("{event} ({state})", "event", event, "state", state)
	case name != "" && note != "":
		return p.T("{event} by {name}: {note}", "event", event, "name", name, "note", note)
	case name != "":
		return p.T("{event} by {name}", "event", event, "name", name)
	case note != "":
		return p.T("{event}: {note}", "event", event, "note", note)
	}
	return event
}

var replyTypes = []messaging.Type{messaging.Update, messaging.Acknowledgement, messaging.Closure}

func (d *threadData) fillStatuses() {
	for _, f := range d.Template[messaging.Update].Fields {
		if f.Name == "status" {
			d.Statuses = f.Choices
		}
	}
}

// threadData loads what the thread page shows the caller; the services
// decide what it may read and which forms it is offered.
func (s *Server) threadData(r *http.Request, id string) (threadData, error) {
	a := who(r)
	p := s.printer(r)
	ctx := r.Context()
	msgs, events, err := s.app.Messaging.Thread(ctx, a, id)
	if err != nil {
		return threadData{}, err
	}
	d := threadData{Messages: msgs, Last: msgs[len(msgs)-1], CanAck: map[string]bool{},
		Template: map[messaging.Type]messaging.Template{}, Limits: s.app.Messaging.AttachmentLimits()}
	d.CanReply = s.app.Messaging.CanReply(ctx, a, d.Last) == nil
	for _, t := range replyTypes {
		// An acknowledgement is offered only while there is one to give.
		if t != messaging.Acknowledgement || s.app.Messaging.CanAcknowledge(ctx, a, d.Last) == nil {
			d.Replies = append(d.Replies, t)
		}
	}
	byID := map[string]messaging.Message{}
	for _, m := range msgs {
		byID[m.ID] = m
		d.CanAck[m.ID] = s.app.Messaging.CanAcknowledge(ctx, a, m) == nil
	}
	if err := s.loadTemplates(r, d.Template); err != nil {
		return threadData{}, err
	}
	d.fillStatuses()
	d.Incident = s.incidentOffer(r, msgs)
	d.Fields = map[string][]fact{}
	for _, m := range msgs {
		d.Fields[m.ID] = facts(p, d.Template, m)
	}
	for _, e := range events {
		actorName, state, note := e.Actor, "", e.Detail
		if e.Actor == actor.Scheduler.Label() {
			actorName = "" // deadlines act by themselves
		}
		if e.State != "" {
			state = stateName(p, e.State)
		}
		var text string
		switch n, known := eventNames[e.Kind]; {
		case e.Kind == messaging.EventSent:
			m := byID[e.MessageID]
			typ, to := typeTitleOf(p, d.Template, m.Type), stateList(p, m.Recipients)
			if actorName == "" {
				text = p.T("{type} sent to {states}", "type", typ, "states", to)
			} else {
				text = p.T("{type} sent to {states} by {name}", "type", typ, "states", to, "name", actorName)
			}
		case known:
			text = timelineText(p, p.Msg(n), state, actorName, note)
		default:
			text = timelineText(p, e.Kind, state, actorName, note)
		}
		d.Timeline = append(d.Timeline, timelineEntry{At: e.At, Text: text})
	}
	return d, nil
}

// typeTitleOf is the title the current template gives a type, in p's
// language while it is the standard one.
func typeTitleOf(p *i18n.Printer, tmpls map[messaging.Type]messaging.Template, t messaging.Type) string {
	if tm, ok := tmpls[t]; ok && tm.Title != "" {
		return templateText(p, tm.Title)
	}
	return named(p, typeNames, t)
}

func (s *Server) thread(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	d, err := s.threadData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Opening a thread reads it.
	if err := s.app.Messaging.ReadThread(r.Context(), a, r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "thread", page{Title: d.Messages[0].Subject, Nav: "messages", Data: d, Flash: flashes[r.URL.Query().Get("done")]})
}

func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	m, err := s.app.Messaging.Message(r.Context(), who(r), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.app.Messaging.Acknowledge(r.Context(), who(r), id); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/threads/"+m.ThreadID+"?done=acknowledged#m-"+id)
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	id := r.PathValue("id")
	parent, err := s.app.Messaging.Message(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	typ := messaging.Type(r.PostForm.Get("type"))
	if slices.Contains(replyTypes, typ) {
		var m messaging.Message
		if m, err = s.sendReply(r, a, typ, id); err == nil {
			redirect(w, r, "/threads/"+m.ThreadID+"?done=sent#m-"+m.ID)
			return
		}
	} else {
		p := s.printer(r)
		err = &errs.Error{Code: errs.Invalid, Message: p.T("please choose what kind of answer this is"),
			Fields: map[string]string{"type": p.T("choose update, acknowledgement or closure")}}
	}
	// Show the thread again with the problems beside the answer form and
	// everything typed still in it.
	if !errs.Is(err, errs.Invalid) {
		s.renderError(w, r, err)
		return
	}
	d, terr := s.threadData(r, parent.ThreadID)
	if terr != nil {
		s.renderError(w, r, terr)
		return
	}
	s.renderForm(w, r, "thread", page{Title: d.Messages[0].Subject, Nav: "messages", Data: d}, err)
}

func (s *Server) sendReply(r *http.Request, a actor.Actor, typ messaging.Type, parentID string) (messaging.Message, error) {
	tmpl, err := s.app.Messaging.Template(r.Context(), typ)
	if err != nil {
		return messaging.Message{}, err
	}
	d := draftFromForm(r.PostForm, tmpl)
	d.ReplyTo, d.Recipients, d.Level, d.Urgency = parentID, nil, "", ""
	if strings.TrimSpace(r.PostForm.Get("tlp")) == "" {
		d.TLP = ""
	}
	var done func()
	if d.Attachments, done, err = uploads(r); err != nil {
		return messaging.Message{}, err
	}
	defer done()
	return s.app.Messaging.Send(r.Context(), a, d)
}

// loadTemplates fills m with the current template of every type, for the
// labels of structured fields.
func (s *Server) loadTemplates(r *http.Request, m map[messaging.Type]messaging.Template) error {
	for _, t := range messaging.Types() {
		tmpl, err := s.app.Messaging.Template(r.Context(), t)
		if err != nil {
			return err
		}
		m[t] = tmpl
	}
	return nil
}

// The communications pages name types, urgencies, levels, delivery states
// and the kinds of template fields by the messages below;
// messagingFuncs gives them to the templates in the page's language.

// typeNames name each kind of communication; the standard template's
// titles are the same words.
var typeNames = map[messaging.Type]i18n.Message{
	messaging.IncidentNotification: i18n.MC("communication type", "Incident notification"),
	messaging.AssistanceRequest:    i18n.MC("communication type", "Request for assistance"),
	messaging.MitigationRequest:    i18n.MC("communication type", "Request to mitigate activity from your territory"),
	messaging.InformationRequest:   i18n.MC("communication type", "Request for information"),
	messaging.VulnerabilityReport:  i18n.MC("communication type", "Vulnerability report"),
	messaging.Acknowledgement:      i18n.MC("communication type", "Acknowledgement"),
	messaging.Update:               i18n.MC("communication type", "Update or response"),
	messaging.Closure:              i18n.MC("communication type", "Closure"),
}

var urgencyNames = map[messaging.Urgency]i18n.Message{
	messaging.Routine:  i18n.MC("urgency", "Routine"),
	messaging.Priority: i18n.MC("urgency", "Priority"),
	messaging.Urgent:   i18n.MC("urgency", "Urgent"),
}

// levelNames name the levels a communication may be addressed to, as a
// choice; levelPhrases inside a sentence.
var (
	levelNames = map[messaging.Level]i18n.Message{
		messaging.Technical:  i18n.MC("communication level", "Technical"),
		messaging.Policy:     i18n.MC("communication level", "Policy"),
		messaging.Diplomatic: i18n.MC("communication level", "Diplomatic"),
		messaging.All:        i18n.MC("communication level", "All levels"),
	}
	levelPhrases = map[messaging.Level]i18n.Message{
		messaging.Technical:  i18n.MC("communication level, in a sentence", "technical level"),
		messaging.Policy:     i18n.MC("communication level, in a sentence", "policy level"),
		messaging.Diplomatic: i18n.MC("communication level, in a sentence", "diplomatic level"),
		messaging.All:        i18n.MC("communication level, in a sentence", "all levels"),
	}
)

// statusNames say where a delivery stands.
var statusNames = map[messaging.Status]i18n.Message{
	messaging.Queued:       i18n.MC("delivery status", "Waiting to be delivered"),
	messaging.Delivered:    i18n.MC("delivery status", "Delivered"),
	messaging.Acknowledged: i18n.MC("delivery status", "Acknowledged"),
	messaging.Responded:    i18n.MC("delivery status", "Answered"),
	messaging.Closed:       i18n.MC("delivery status", "Closed"),
	messaging.Expired:      i18n.MC("delivery status", "No response by the deadline"),
}

// kindNames say how each kind of template field is filled in.
var kindNames = map[messaging.FieldKind]i18n.Message{
	messaging.Text:     i18n.MC("template field kind", "One line"),
	messaging.LongText: i18n.MC("template field kind", "Several lines"),
	messaging.YesNo:    i18n.MC("template field kind", "Yes or no"),
	messaging.Choice:   i18n.MC("template field kind", "One of the choices"),
	messaging.DateTime: i18n.MC("template field kind", "Date and time (UTC)"),
}

// named is k's name in p's language, or k itself when it has none.
func named[K ~string](p *i18n.Printer, names map[K]i18n.Message, k K) string {
	if m, ok := names[k]; ok {
		return p.Msg(m)
	}
	return string(k)
}

// standardTexts are the words of the standard template as detente first
// writes it (messaging's version 1 of each type), by their English text:
// a title, description, label, help or choice the secretariat has not
// changed shows in the reader's language; words it wrote itself show as
// written.
var standardTexts = textsByID(
	// Titles: the names of the types.
	typeNames[messaging.IncidentNotification], typeNames[messaging.AssistanceRequest], typeNames[messaging.MitigationRequest],
	typeNames[messaging.InformationRequest], typeNames[messaging.VulnerabilityReport], typeNames[messaging.Acknowledgement],
	typeNames[messaging.Update], typeNames[messaging.Closure],
	// Descriptions.
	i18n.MC("standard template", "Tell other States about an ICT incident that may concern them."),
	i18n.MC("standard template", "Ask a State for help because critical infrastructure is subject to malicious ICT acts."),
	i18n.MC("standard template", "Ask a State to mitigate malicious ICT activity that emanates from its territory and targets critical infrastructure."),
	i18n.MC("standard template", "Ask a State for information about an incident or a threat."),
	i18n.MC("standard template", "Report a vulnerability responsibly and share what is known about remedies."),
	i18n.MC("standard template", "Confirm that the message was received."),
	i18n.MC("standard template", "Share progress, answer a request, or give the outcome of an action."),
	i18n.MC("standard template", "Close the exchange."),
	// Field labels.
	i18n.MC("standard template", "Affected sector"),
	i18n.MC("standard template", "Critical infrastructure affected"),
	i18n.MC("standard template", "Indicators"),
	i18n.MC("standard template", "Started (UTC)"),
	i18n.MC("standard template", "Observed impact"),
	i18n.MC("standard template", "Current status"),
	i18n.MC("standard template", "Assistance requested"),
	i18n.MC("standard template", "Activity observed"),
	i18n.MC("standard template", "Observed since (UTC)"),
	i18n.MC("standard template", "Information requested"),
	i18n.MC("standard template", "Product"),
	i18n.MC("standard template", "Vendor"),
	i18n.MC("standard template", "CVE identifier"),
	i18n.MC("standard template", "Severity"),
	i18n.MC("standard template", "Known remedies"),
	i18n.MC("standard template", "Status"),
	i18n.MC("standard template", "Outcome"),
	// Help under fields.
	i18n.MC("standard template", "IP addresses, domains, hashes; one per line"),
	i18n.MC("standard template", "e.g. 2026-03-01 14:00"),
	i18n.MC("standard template", "e.g. CVE-2026-12345"),
	// Choices: sectors, the status of an incident, severities, the status
	// of an update.
	i18n.MC("standard template", "energy"),
	i18n.MC("standard template", "health"),
	i18n.MC("standard template", "finance"),
	i18n.MC("standard template", "transport"),
	i18n.MC("standard template", "water"),
	i18n.MC("standard template", "telecommunications"),
	i18n.MC("standard template", "digital infrastructure"),
	i18n.MC("standard template", "government"),
	i18n.MC("standard template", "emergency services"),
	i18n.MC("standard template", "elections"),
	i18n.MC("standard template", "food"),
	i18n.MC("standard template", "space"),
	i18n.MC("standard template", "other"),
	i18n.MC("standard template", "ongoing"),
	i18n.MC("standard template", "contained"),
	i18n.MC("standard template", "resolved"),
	i18n.MC("standard template", "low"),
	i18n.MC("standard template", "medium"),
	i18n.MC("standard template", "high"),
	i18n.MC("standard template", "critical"),
	i18n.MC("standard template", "in progress"),
	i18n.MC("standard template", "action taken"),
	i18n.MC("standard template", "unable to act"),
	i18n.MC("standard template", "information provided"),
)

func textsByID(ms ...i18n.Message) map[string]i18n.Message {
	out := make(map[string]i18n.Message, len(ms))
	for _, m := range ms {
		out[m.ID] = m
	}
	return out
}

// standardText is s as a Message when it is a word of the standard
// template, so that it is translated where it is shown; else s as written.
func standardText(s string) any {
	if m, ok := standardTexts[s]; ok {
		return m
	}
	return s
}

// templateText is s in p's language when it is a word of the standard
// template, else s as written.
func templateText(p *i18n.Printer, s string) string {
	if m, ok := standardTexts[s]; ok {
		return p.Msg(m)
	}
	return s
}

// yesNo writes the value of a yes-or-no field in words.
func yesNo(p *i18n.Printer, v string) string {
	switch v {
	case "yes":
		return p.TC("template field", "Yes")
	case "no":
		return p.TC("template field", "No")
	}
	return v
}

// stateList names States by their codes, as the language separates the
// items of a list.
func stateList(p *i18n.Printer, codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = stateName(p, c)
	}
	return strings.Join(names, p.TC("list separator", ", "))
}

// fileSize writes a size as people read it (messaging.BytesIn).
func fileSize(p *i18n.Printer, n int64) string { return messaging.BytesIn(p, n) }

// attachmentLimits says the limits of a message's files, for a form's
// hint and the page that refuses too large a form.
func attachmentLimits(p *i18n.Printer, l messaging.AttachmentLimits) string {
	return p.N("Up to {count} file, {size} each, {total} together.", "Up to {count} files, {size} each, {total} together.", l.MaxCount,
		"size", fileSize(p, l.MaxFileBytes), "total", fileSize(p, l.MaxTotalBytes))
}

// messagingFuncs are the template functions of the communications pages
// that write in p's language; langFuncs adds them to every page's.
func messagingFuncs(p *i18n.Printer) template.FuncMap {
	return template.FuncMap{
		"typeTitle":        func(t messaging.Type) string { return named(p, typeNames, t) },
		"urgencyName":      func(u messaging.Urgency) string { return named(p, urgencyNames, u) },
		"levelName":        func(l string) string { return named(p, levelNames, messaging.Level(l)) },
		"levelPhrase":      func(l string) string { return named(p, levelPhrases, messaging.Level(l)) },
		"statusTitle":      func(st messaging.Status) string { return named(p, statusNames, st) },
		"kindTitle":        func(k messaging.FieldKind) string { return named(p, kindNames, k) },
		"templateText":     func(s string) string { return templateText(p, s) },
		"yesNo":            func(v string) string { return yesNo(p, v) },
		"stateList":        func(codes []string) string { return stateList(p, codes) },
		"fileSize":         func(n int64) string { return fileSize(p, n) },
		"attachmentLimits": func(l messaging.AttachmentLimits) string { return attachmentLimits(p, l) },
	}
}
