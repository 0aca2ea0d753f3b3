package incident

import "time"

// ActorCategory is what kind of actor an assessment holds responsible.
type ActorCategory string

const (
	ActorState           ActorCategory = "state"
	ActorStateAffiliated ActorCategory = "state-affiliated"
	ActorNonState        ActorCategory = "non-state"
	ActorUnknown         ActorCategory = "unknown"
)

// ActorCategories lists them in the order pages show them.
func ActorCategories() []ActorCategory {
	return []ActorCategory{ActorState, ActorStateAffiliated, ActorNonState, ActorUnknown}
}

// Label is the category's name for people (context "actor category").
func (c ActorCategory) Label() string {
	switch c {
	case ActorState:
		return "A State"
	case ActorStateAffiliated:
		return "An actor affiliated with a State"
	case ActorNonState:
		return "A non-State actor"
	case ActorUnknown:
		return "Unknown"
	}
	return string(c)
}

// Spectrum is a position on the spectrum of State responsibility: ten
// steps from a State that prohibits and stops such attacks to one whose
// own forces carry them out as part of an integrated campaign (after
// J. Healey, "The Spectrum of National Responsibility", 2011). The codes
// are stable.
type Spectrum string

// spectrum is the ten steps in order, with each step's name for people
// (context "responsibility spectrum").
var spectrum = []struct {
	code  Spectrum
	label string
}{
	{"state-prohibited", "State-prohibited: the State helps stop the attack"},
	{"state-prohibited-but-inadequate", "State-prohibited but inadequate: the State cooperates but cannot stop it"},
	{"state-ignored", "State-ignored: the State knows and will not act"},
	{"state-encouraged", "State-encouraged: non-State actors attack, encouraged by the State"},
	{"state-shaped", "State-shaped: non-State actors attack with the State's support"},
	{"state-coordinated", "State-coordinated: the State coordinates non-State attackers"},
	{"state-ordered", "State-ordered: the State directs proxies to attack on its behalf"},
	{"state-rogue-conducted", "State-rogue-conducted: State forces attack without the government's approval"},
	{"state-executed", "State-executed: the State's own forces attack"},
	{"state-integrated", "State-integrated: the State attacks with integrated proxies and its forces"},
}

// SpectrumSteps lists the ten steps, least to most State responsibility.
func SpectrumSteps() []Spectrum {
	out := make([]Spectrum, len(spectrum))
	for i, s := range spectrum {
		out[i] = s.code
	}
	return out
}

// Label is the step's name for people, "" for an unknown code.
func (s Spectrum) Label() string {
	for _, x := range spectrum {
		if x.code == s {
			return x.label
		}
	}
	return ""
}

// Likelihood is an estimate of probability in the seven terms of US
// Intelligence Community Directive 203, with their ranges. It says how
// probable a judgement is; Confidence, a separate field, says how sound
// the basis for it is. The two are never merged into one word.
type Likelihood string

const (
	AlmostNoChance    Likelihood = "almost-no-chance"    // 1–5 %
	VeryUnlikely      Likelihood = "very-unlikely"       // 5–20 %
	Unlikely          Likelihood = "unlikely"            // 20–45 %
	RoughlyEvenChance Likelihood = "roughly-even-chance" // 45–55 %
	Likely            Likelihood = "likely"              // 55–80 %
	VeryLikely        Likelihood = "very-likely"         // 80–95 %
	AlmostCertain     Likelihood = "almost-certain"      // 95–99 %
)

// Likelihoods lists the seven terms from least to most probable.
func Likelihoods() []Likelihood {
	return []Likelihood{AlmostNoChance, VeryUnlikely, Unlikely, RoughlyEvenChance, Likely, VeryLikely, AlmostCertain}
}

// Label is the term for people, with its range (context "likelihood").
func (l Likelihood) Label() string {
	switch l {
	case AlmostNoChance:
		return "Almost no chance (1–5%)"
	case VeryUnlikely:
		return "Very unlikely (5–20%)"
	case Unlikely:
		return "Unlikely (20–45%)"
	case RoughlyEvenChance:
		return "Roughly even chance (45–55%)"
	case Likely:
		return "Likely (55–80%)"
	case VeryLikely:
		return "Very likely (80–95%)"
	case AlmostCertain:
		return "Almost certain (95–99%)"
	}
	return string(l)
}

// Confidence is how sound the sources and reasoning of a judgement are.
type Confidence string

const (
	ConfidenceLow      Confidence = "low"
	ConfidenceModerate Confidence = "moderate"
	ConfidenceHigh     Confidence = "high"
)

// Confidences lists them from low to high.
func Confidences() []Confidence {
	return []Confidence{ConfidenceLow, ConfidenceModerate, ConfidenceHigh}
}

// Label is the level for people (context "confidence").
func (c Confidence) Label() string {
	switch c {
	case ConfidenceLow:
		return "Low confidence"
	case ConfidenceModerate:
		return "Moderate confidence"
	case ConfidenceHigh:
		return "High confidence"
	}
	return string(c)
}

// Basis is a kind of ground an attribution rests on.
type Basis string

const (
	BasisTechnical       Basis = "technical"
	BasisPolitical       Basis = "political"
	BasisLegal           Basis = "legal"
	BasisSelfAttribution Basis = "self-attribution" // the actor claimed it
)

// Bases lists them in the order pages show them.
func Bases() []Basis {
	return []Basis{BasisTechnical, BasisPolitical, BasisLegal, BasisSelfAttribution}
}

// Label is the basis for people (context "attribution basis").
func (b Basis) Label() string {
	switch b {
	case BasisTechnical:
		return "Technical"
	case BasisPolitical:
		return "Political"
	case BasisLegal:
		return "Legal"
	case BasisSelfAttribution:
		return "Claimed by the actor"
	}
	return string(b)
}

// Evidence is one item an attribution rests on, graded on the Admiralty
// scale: the reliability of its source (A completely reliable … E
// unreliable, F cannot be judged) and the credibility of the information
// itself (1 confirmed … 5 improbable, 6 cannot be judged).
type Evidence struct {
	Description string
	Source      string
	Reliability string // A–F
	Credibility int    // 1–6
}

// Reliabilities are the Admiralty grades of a source.
func Reliabilities() []string { return []string{"A", "B", "C", "D", "E", "F"} }

// LawOriginNotAttribution is the catalogue provision a page must cite
// beside an attribution resting on where the activity came from: law view
// 28(f), that an ICT activity launched or otherwise originating from a
// State's territory or infrastructure may be insufficient in itself to
// attribute it to that State.
const LawOriginNotAttribution = "law-28f"

// Attribution is one assessment of who is behind an incident, asserted by
// a State or by a named organisation and recorded by an account. An
// incident may have several that disagree; they are shown side by side.
type Attribution struct {
	ID              string
	IncidentID      string
	AssertedByState string // the State that asserts it, or ""
	AssertedByOrg   string // the organisation that asserts it, or ""
	RecordedBy      string // account
	RecordedByLabel string
	RecordedByState string
	Category        ActorCategory
	AttributedState string   // the State held responsible, if any
	Spectrum        Spectrum // "" when not assessed
	Likelihood      Likelihood
	Confidence      Confidence
	Basis           []Basis
	Evidence        []Evidence
	// OriginTerritoryOnly: the assessment rests on the activity having
	// come from the State's territory or infrastructure alone.
	OriginTerritoryOnly bool
	// Substantiated: the assertion is backed by the evidence listed.
	Substantiated bool
	Rationale     string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Cites returns the catalogue provisions a page must cite beside the
// assessment: law view 28(f) when it rests on the origin of the activity
// alone.
func (a Attribution) Cites() []string {
	if a.OriginTerritoryOnly {
		return []string{LawOriginNotAttribution}
	}
	return nil
}

// AttributionInput is what an account writes to record an assessment.
// Either the account's own State asserts it (ByOrganisation empty) or it
// records what a named organisation asserts.
type AttributionInput struct {
	ByOrganisation      string
	Category            ActorCategory
	AttributedState     string
	Spectrum            Spectrum
	Likelihood          Likelihood
	Confidence          Confidence
	Basis               []Basis
	Evidence            []Evidence
	OriginTerritoryOnly bool
	Substantiated       bool
	Rationale           string
}

// Outcome is the finding on a provision engaged by an incident.
type Outcome string

const (
	Consistent              Outcome = "consistent"
	PossibleInconsistency   Outcome = "possible-inconsistency"
	InsufficientInformation Outcome = "insufficient-information"
)

// Outcomes lists them in the order pages show them.
func Outcomes() []Outcome {
	return []Outcome{Consistent, PossibleInconsistency, InsufficientInformation}
}

// Label is the outcome for people (context "finding").
func (o Outcome) Label() string {
	switch o {
	case Consistent:
		return "Consistent with the provision"
	case PossibleInconsistency:
		return "Possible inconsistency with the provision"
	case InsufficientInformation:
		return "Insufficient information to say"
	}
	return string(o)
}

// Finding is the reporting State's finding on one provision of the
// framework for one incident.
type Finding struct {
	IncidentID string
	Provision  string // catalogue id: norm-h, law-28f, cbm-1, …
	Engaged    bool
	Outcome    Outcome // required when engaged, else optional
	Rationale  string
	Version    int
	ByAccount  string
	ByLabel    string
	At         time.Time
}

// FindingInput is a finding as written; Version is the one it replaces (0
// for a provision without a finding yet).
type FindingInput struct {
	Provision string
	Engaged   bool
	Outcome   Outcome
	Rationale string
	Version   int
}
