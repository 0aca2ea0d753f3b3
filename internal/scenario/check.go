package scenario

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/validate"
)

// Limits of what a scenario holds: enough for a day-long exercise, small
// enough that a run and its report stay readable.
const (
	maxTitle       = 200
	maxSummary     = 1_000
	maxNarrative   = 20_000
	maxObjectives  = 20
	maxObjective   = 1_000
	maxProvisions  = 10
	maxRoles       = 12
	maxRoleName    = 100
	maxDescription = 2_000
	maxInjects     = 100
	maxExpected    = 10
	maxName        = 200
	maxSubject     = 300
	maxBody        = 50_000
	maxPrompt      = 5_000
	maxNote        = 1_000
	maxKey         = 40
	maxFields      = 20
	// MaxDuration is the longest scenario: a week of scenario time.
	MaxDuration = 7 * 24 * time.Hour
)

// Field messages, each in the catalogue (po/scenario).
const (
	msgTitle        = "enter a title"
	msgLanguage     = "choose the language the scenario is written in"
	msgDurationMin  = "enter how long the scenario lasts"
	msgDurationMax  = "a scenario lasts at most seven days"
	msgObjectives   = "use at most %d objectives"
	msgObjective    = "say what the exercise practises"
	msgNoProvision  = "link at least one provision of the framework"
	msgTooManyProv  = "link at most %d provisions"
	msgProvision    = "choose a provision of the catalogue"
	msgOwner        = "choose whose scenarios to list"
	msgNoRoles      = "give the scenario at least one role"
	msgRoles        = "use at most %d roles"
	msgKey          = "use letters, digits, - and _ only, at most 40, starting with a letter or digit"
	msgKeyTwice     = "this key is used twice"
	msgRoleName     = "name the role"
	msgNoInjects    = "give the scenario at least one inject"
	msgInjects      = "use at most %d injects"
	msgOffset       = "the inject must come within the scenario's duration"
	msgKind         = "choose communication or prompt"
	msgInjectTitle  = "give the inject a line for the timeline"
	msgFrom         = "choose the role that sends it or name a simulated sender, not both"
	msgNoSender     = "a prompt has no sender"
	msgUnknownRole  = "no role of this scenario has this key"
	msgToRoles      = "choose the roles that receive it"
	msgToSelf       = "a role does not send a communication to itself"
	msgLevel        = "choose diplomatic, policy or technical"
	msgType         = "choose the type of communication"
	msgUrgency      = "choose routine, priority or urgent"
	msgTLP          = "choose a TLP label"
	msgSubject      = "enter a subject"
	msgBody         = "write the communication"
	msgNotForPrompt = "only a communication has this"
	msgPrompt       = "write what players are told"
	msgAttachCount  = "attach at most %d files to an inject"
	msgAttachName   = "give every file a name without invisible characters, at most 200 characters"
	msgAttachEmpty  = "%q is empty"
	msgAttachBig    = "%q is larger than %s, the limit for one file"
	msgAttachTotal  = "the files come to more than %s, the limit of a message"
	msgAttachProg   = "%q is a program, which is not accepted: to share a sample, put it in an encrypted archive"
	msgExpected     = "expect at most %d actions of an inject"
	msgAction       = "choose an action"
	msgNeedsComm    = "players acknowledge and answer communications, not prompts"
	msgWithin       = "give players some time"
	msgWithinEnd    = "this time limit ends after the scenario does"
	msgNoFields     = "name the template fields the answer must fill"
	msgTooManyField = "name at most %d fields"
	msgUnknownField = "%q is no field of the communication template"
	msgOnlyFields   = "only an answer with fields names fields"
	msgOnlyLevel    = "only an escalation names a level"
	msgOnlyToRole   = "only a request for assistance names whom it goes to"
)

// check validates in, every field at once, and returns the scenario it
// makes (without identity): text normalised, injects in order of offset.
func (s *Service) check(ctx context.Context, in Input) (Scenario, error) {
	var f errs.Fields
	sc := Scenario{}
	lang, problem := validate.Language(in.Language)
	if problem != "" || lang == "" {
		f.Add("language", msgLanguage)
	}
	sc.Language = lang
	sc.Title = line(&f, "title", in.Title, maxTitle)
	if sc.Title == "" {
		f.Add("title", msgTitle)
	}
	sc.Summary = text(&f, "summary", in.Summary, maxSummary)
	sc.Narrative = text(&f, "narrative", in.Narrative, maxNarrative)
	switch {
	case in.Duration <= 0:
		f.Add("duration", msgDurationMin)
	case in.Duration > MaxDuration:
		f.Add("duration", msgDurationMax)
	}
	sc.Duration = in.Duration.Truncate(time.Second)

	objs := in.Objectives
	if len(objs) > maxObjectives {
		f.Add("objectives", fmt.Sprintf(msgObjectives, maxObjectives))
		objs = objs[:maxObjectives]
	}
	for k, o := range objs {
		field := fmt.Sprintf("objectives[%d]", k)
		obj := Objective{Text: text(&f, field+".text", o.Text, maxObjective)}
		if obj.Text == "" {
			f.Add(field+".text", msgObjective)
		}
		obj.Provisions = s.provisions(&f, field+".provisions", o.Provisions)
		sc.Objectives = append(sc.Objectives, obj)
	}

	roles := in.Roles
	switch {
	case len(roles) == 0:
		f.Add("roles", msgNoRoles)
	case len(roles) > maxRoles:
		f.Add("roles", fmt.Sprintf(msgRoles, maxRoles))
		roles = roles[:maxRoles]
	}
	keys := map[string]bool{}
	for k, r := range roles {
		field := fmt.Sprintf("roles[%d]", k)
		role := Role{Key: key(&f, field+".key", r.Key, keys), Name: line(&f, field+".name", r.Name, maxRoleName),
			Description: text(&f, field+".description", r.Description, maxDescription)}
		if role.Name == "" {
			f.Add(field+".name", msgRoleName)
		}
		sc.Roles = append(sc.Roles, role)
	}

	injects := in.Injects
	switch {
	case len(injects) == 0:
		f.Add("injects", msgNoInjects)
	case len(injects) > maxInjects:
		f.Add("injects", fmt.Sprintf(msgInjects, maxInjects))
		injects = injects[:maxInjects]
	}
	ikeys := map[string]bool{}
	for k, in := range injects {
		i, err := s.checkInject(ctx, &f, fmt.Sprintf("injects[%d]", k), in, sc, keys, ikeys)
		if err != nil {
			return Scenario{}, err
		}
		sc.Injects = append(sc.Injects, i)
	}
	if err := f.Err(); err != nil {
		return Scenario{}, err
	}
	slices.SortStableFunc(sc.Injects, func(x, y Inject) int {
		return cmp.Or(cmp.Compare(x.Offset, y.Offset), strings.Compare(x.Key, y.Key))
	})
	return sc, nil
}

func (s *Service) checkInject(ctx context.Context, f *errs.Fields, field string, in Inject, sc Scenario, roles, keys map[string]bool) (Inject, error) {
	i := Inject{Key: key(f, field+".key", in.Key, keys), Offset: in.Offset.Truncate(time.Second), Kind: in.Kind,
		Title: line(f, field+".title", in.Title, maxTitle)}
	if i.Title == "" {
		f.Add(field+".title", msgInjectTitle)
	}
	if i.Offset < 0 || (sc.Duration > 0 && i.Offset > sc.Duration) || i.Offset > MaxDuration {
		f.Add(field+".offset", msgOffset)
	}
	i.ToRoles = nil
	for _, r := range in.ToRoles {
		r = strings.TrimSpace(r)
		if !roles[r] {
			f.Add(field+".to_roles", msgUnknownRole)
			continue
		}
		if !slices.Contains(i.ToRoles, r) {
			i.ToRoles = append(i.ToRoles, r)
		}
	}
	if len(in.ToRoles) == 0 {
		f.Add(field+".to_roles", msgToRoles)
	}
	i.ToLevel = in.ToLevel
	if i.ToLevel != "" && !slices.Contains(Levels(), i.ToLevel) {
		f.Add(field+".to_level", msgLevel)
	}
	switch in.Kind {
	case Communication:
		if err := s.checkCommunication(ctx, f, field, in, &i, roles); err != nil {
			return i, err
		}
	case Prompt:
		i.Prompt = text(f, field+".prompt", in.Prompt, maxPrompt)
		if i.Prompt == "" {
			f.Add(field+".prompt", msgPrompt)
		}
		if in.FromRole != "" || in.FromSimulated != "" {
			f.Add(field+".from", msgNoSender)
		}
		for name, set := range map[string]bool{"type": in.Type != "", "urgency": in.Urgency != "", "tlp": in.TLP != "",
			"subject": in.Subject != "", "body": in.Body != "", "fields": len(in.Fields) > 0, "attachments": len(in.Attachments) > 0} {
			if set {
				f.Add(field+"."+name, msgNotForPrompt)
			}
		}
	default:
		f.Add(field+".kind", msgKind)
	}
	exps := in.Expected
	if len(exps) > maxExpected {
		f.Add(field+".expected", fmt.Sprintf(msgExpected, maxExpected))
		exps = exps[:maxExpected]
	}
	ekeys := map[string]bool{}
	for n, e := range exps {
		ef := fmt.Sprintf("%s.expected[%d]", field, n)
		x := Expectation{Key: key(f, ef+".key", e.Key, ekeys), Action: e.Action, Within: e.Within.Truncate(time.Second),
			Note: text(f, ef+".note", e.Note, maxNote)}
		switch {
		case !slices.Contains(Actions(), e.Action):
			f.Add(ef+".action", msgAction)
		case i.Kind == Prompt && (e.Action == Acknowledge || e.Action == Reply || e.Action == ReplyWithFields):
			f.Add(ef+".action", msgNeedsComm)
		}
		switch {
		case x.Within <= 0:
			f.Add(ef+".within", msgWithin)
		case x.Within > MaxDuration || (sc.Duration > 0 && i.Offset+x.Within > sc.Duration):
			f.Add(ef+".within", msgWithinEnd)
		}
		if e.Action == ReplyWithFields {
			x.Fields = s.replyFields(ctx, f, ef+".fields", e.Fields)
		} else if len(e.Fields) > 0 {
			f.Add(ef+".fields", msgOnlyFields)
		}
		switch {
		case e.Action == Escalate && e.Level == "":
			x.Level = Diplomatic
		case e.Action == Escalate && !slices.Contains(Levels(), e.Level):
			f.Add(ef+".level", msgLevel)
		case e.Action == Escalate:
			x.Level = e.Level
		case e.Level != "":
			f.Add(ef+".level", msgOnlyLevel)
		}
		switch {
		case e.ToRole == "":
		case e.Action != RequestAssistance:
			f.Add(ef+".to_role", msgOnlyToRole)
		case !roles[e.ToRole]:
			f.Add(ef+".to_role", msgUnknownRole)
		default:
			x.ToRole = e.ToRole
		}
		i.Expected = append(i.Expected, x)
	}
	return i, nil
}

func (s *Service) checkCommunication(ctx context.Context, f *errs.Fields, field string, in Inject, i *Inject, roles map[string]bool) error {
	from, sim := strings.TrimSpace(in.FromRole), line(f, field+".from_simulated", in.FromSimulated, maxName)
	switch {
	case (from == "") == (sim == ""):
		f.Add(field+".from", msgFrom)
	case from != "" && !roles[from]:
		f.Add(field+".from_role", msgUnknownRole)
	case from != "" && slices.Contains(in.ToRoles, from):
		f.Add(field+".to_roles", msgToSelf)
	}
	i.FromRole, i.FromSimulated = from, sim
	if in.ToLevel == "" {
		f.Add(field+".to_level", msgLevel)
	}
	i.Urgency = in.Urgency
	if !slices.Contains(messaging.Urgencies(), in.Urgency) {
		f.Add(field+".urgency", msgUrgency)
	}
	i.TLP = in.TLP
	if !in.TLP.Valid() {
		f.Add(field+".tlp", msgTLP)
	}
	i.Subject = line(f, field+".subject", in.Subject, maxSubject)
	if i.Subject == "" {
		f.Add(field+".subject", msgSubject)
	}
	i.Body = text(f, field+".body", in.Body, maxBody)
	if i.Body == "" {
		f.Add(field+".body", msgBody)
	}
	i.Type = in.Type
	if !slices.Contains(messaging.Types(), in.Type) {
		f.Add(field+".type", msgType)
	} else {
		t, err := s.templates.Template(ctx, in.Type)
		if err != nil {
			return err
		}
		// The template's own checks, as a message sent now would meet
		// them, reported under this inject's fields.
		var tf errs.Fields
		i.Fields = messaging.CheckFields(t, in.Fields, &tf)
		for _, k := range slices.Sorted(maps.Keys(tf)) {
			f.Add(field+"."+k, tf[k])
		}
		for k, v := range i.Fields {
			if v == "" {
				delete(i.Fields, k)
			}
		}
		if len(i.Fields) == 0 {
			i.Fields = nil
		}
	}
	i.Attachments = s.attachments(f, field+".attachments", in.Attachments)
	return nil
}

// attachments checks an inject's files against the limits of a message,
// which a run sends it as.
func (s *Service) attachments(f *errs.Fields, field string, in []Attachment) []Attachment {
	lim := s.templates.AttachmentLimits()
	if len(in) > lim.MaxCount {
		f.Add(field, fmt.Sprintf(msgAttachCount, lim.MaxCount))
		return nil
	}
	var out []Attachment
	var total int64
	for _, a := range in {
		name, problem := validate.OneLine(a.Name, maxName)
		switch {
		case problem != "" || name == "":
			f.Add(field, msgAttachName)
			continue
		case len(a.Content) == 0:
			f.Add(field, fmt.Sprintf(msgAttachEmpty, name))
			continue
		case int64(len(a.Content)) > lim.MaxFileBytes:
			f.Add(field, fmt.Sprintf(msgAttachBig, name, messaging.HumanBytes(lim.MaxFileBytes)))
			continue
		case messaging.IsProgram(name, a.Content):
			f.Add(field, fmt.Sprintf(msgAttachProg, name))
			continue
		}
		total += int64(len(a.Content))
		mt := strings.TrimSpace(a.MediaType)
		if _, problem := validate.OneLine(mt, 255); problem != "" || mt == "" {
			mt = "application/octet-stream"
		}
		out = append(out, Attachment{Name: name, MediaType: mt, Content: a.Content})
	}
	if total > lim.MaxTotalBytes {
		f.Add(field, fmt.Sprintf(msgAttachTotal, messaging.HumanBytes(lim.MaxTotalBytes)))
	}
	return out
}

// replyFields checks the template fields an answer must fill: each must
// be a field of some type's template, since the answer may be of any.
func (s *Service) replyFields(ctx context.Context, f *errs.Fields, field string, names []string) []string {
	if len(names) == 0 {
		f.Add(field, msgNoFields)
		return nil
	}
	if len(names) > maxFields {
		f.Add(field, fmt.Sprintf(msgTooManyField, maxFields))
		return nil
	}
	known := map[string]bool{}
	for _, typ := range messaging.Types() {
		t, err := s.templates.Template(ctx, typ)
		if err != nil {
			continue
		}
		for _, fd := range t.Fields {
			known[fd.Name] = true
		}
	}
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if !known[n] {
			f.Add(field, fmt.Sprintf(msgUnknownField, validate.Reveal(strings.ToValidUTF8(n, "?"))))
			continue
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// provisions checks the catalogue ids an objective links.
func (s *Service) provisions(f *errs.Fields, field string, in []string) []string {
	if len(in) == 0 {
		f.Add(field, msgNoProvision)
		return nil
	}
	if len(in) > maxProvisions {
		f.Add(field, fmt.Sprintf(msgTooManyProv, maxProvisions))
		return nil
	}
	var out []string
	for _, p := range in {
		p = strings.TrimSpace(p)
		if _, err := s.catalog.Provision(p); err != nil || validate.Encoding(p) != "" {
			f.Add(field, msgProvision)
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Levels lists the levels an inject may be addressed to.
func Levels() []Level { return []Level{Diplomatic, Policy, Technical} }

// Kinds lists the kinds of inject.
func Kinds() []InjectKind { return []InjectKind{Communication, Prompt} }

// key checks a key unique among seen.
func key(f *errs.Fields, field, v string, seen map[string]bool) string {
	v = strings.TrimSpace(v)
	ok := v != "" && len(v) <= maxKey
	for n, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || (n > 0 && (r == '-' || r == '_'))) {
			ok = false
		}
	}
	switch {
	case !ok:
		f.Add(field, msgKey)
	case seen[v]:
		f.Add(field, msgKeyTwice)
	default:
		seen[v] = true
	}
	return v
}

// text checks a multi-line field into f and returns it normalised.
func text(f *errs.Fields, field, v string, max int) string {
	out, problem := validate.Text(v, 0, max)
	if problem == "" {
		problem = validate.Plain(out)
	}
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}

// line checks a single-line field into f and returns it normalised.
func line(f *errs.Fields, field, v string, max int) string {
	out, problem := validate.OneLine(v, max)
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}
