// Package capacity holds capacity-building needs and offers (CBM 5): the
// needs a State posts (often a capacity gap from its national survey
// report), the offers of States and of the secretariat, the suggestions
// that pair a need with an offer on shared provisions, topics and
// languages, and the partnerships the two sides agree and may publish.
//
// Who sees what: a need or offer is private (its own State and the
// secretariat), for participants (every participating State's accounts and
// the secretariat) or public (anyone). A suggestion is made only between a
// need and an offer each side may see, and is shown only to those two
// sides; a partnership likewise, until both sides agree to publish it.
// The score that orders suggestions is never shown: there is no ranking of
// States.
package capacity

import (
	"time"

	"github.com/detente/detente/internal/sharing"
)

// Topic is an area of capacity-building, from a fixed list the pages
// translate.
type Topic string

const (
	IncidentResponse   Topic = "incident_response"
	CriticalInfra      Topic = "critical_infrastructure"
	PolicyLegislation  Topic = "policy_legislation"
	InternationalLaw   Topic = "international_law"
	NormsImplement     Topic = "norms_implementation"
	DiplomacyCBMs      Topic = "diplomacy_cbms"
	TechnicalTraining  Topic = "technical_training"
	VulnerabilityMgmt  Topic = "vulnerability_management"
	CybercrimeEvidence Topic = "cybercrime_evidence"
	Awareness          Topic = "awareness"
	PublicPrivate      Topic = "public_private"
)

// Topics lists the topics in the order forms show them.
func Topics() []Topic {
	return []Topic{IncidentResponse, CriticalInfra, PolicyLegislation, InternationalLaw, NormsImplement, DiplomacyCBMs,
		TechnicalTraining, VulnerabilityMgmt, CybercrimeEvidence, Awareness, PublicPrivate}
}

// Label is the topic's name for people (context "capacity topic").
func (t Topic) Label() string {
	switch t {
	case IncidentResponse:
		return "Incident response and CERT development"
	case CriticalInfra:
		return "Critical infrastructure protection"
	case PolicyLegislation:
		return "National strategy, policy and legislation"
	case InternationalLaw:
		return "International law in cyberspace"
	case NormsImplement:
		return "Implementing the norms"
	case DiplomacyCBMs:
		return "Cyber diplomacy and confidence-building"
	case TechnicalTraining:
		return "Technical training"
	case VulnerabilityMgmt:
		return "Vulnerability disclosure and management"
	case CybercrimeEvidence:
		return "Cybercrime and digital evidence"
	case Awareness:
		return "Awareness and cyber hygiene"
	case PublicPrivate:
		return "Public-private partnership"
	}
	return string(t)
}

// Visibility is who may read a need or an offer: the rule of package
// sharing, which the policy library follows too.
type Visibility = sharing.Visibility

const (
	Private      = sharing.Private      // its own State and the secretariat
	Participants = sharing.Participants // every participating State's accounts and the secretariat
	Public       = sharing.Public       // anyone, signed in or not
)

// Visibilities lists them from the narrowest.
func Visibilities() []Visibility { return sharing.Visibilities() }

// Status is where a need or an offer stands.
type Status string

const (
	Open      Status = "open"
	Partnered Status = "partnered" // a need with an agreed partnership
	Closed    Status = "closed"
)

// NeedStatuses are the statuses a need's owner may set.
func NeedStatuses() []Status { return []Status{Open, Partnered, Closed} }

// OfferStatuses are those of an offer.
func OfferStatuses() []Status { return []Status{Open, Closed} }

// Label names the status (context "capacity status").
func (s Status) Label() string {
	switch s {
	case Open:
		return "Open"
	case Partnered:
		return "In partnership"
	case Closed:
		return "Closed"
	}
	return string(s)
}

// OfferKind is what an offer gives.
type OfferKind string

const (
	Training            OfferKind = "training"
	TechnicalAssistance OfferKind = "technical_assistance"
	ExpertExchange      OfferKind = "expert_exchange"
	Funding             OfferKind = "funding"
	OtherKind           OfferKind = "other"
)

// OfferKinds lists them in the order forms show them.
func OfferKinds() []OfferKind {
	return []OfferKind{Training, TechnicalAssistance, ExpertExchange, Funding, OtherKind}
}

// Label names the kind (context "capacity offer kind").
func (k OfferKind) Label() string {
	switch k {
	case Training:
		return "Training"
	case TechnicalAssistance:
		return "Technical assistance"
	case ExpertExchange:
		return "Exchange of experts"
	case Funding:
		return "Funding"
	case OtherKind:
		return "Other support"
	}
	return string(k)
}

// Need is a State's capacity-building need.
type Need struct {
	ID          string
	State       string
	Title       string
	Description string
	Topics      []Topic
	Provisions  []string // catalogue provision ids
	Languages   []string // BCP 47 tags the State can work in
	Region      string   // a UN regional group
	Status      Status
	Visibility  Visibility
	// SourceReport and SourceProvision name the capacity gap of a
	// national survey report the need was drawn from; "" when none.
	SourceReport    string
	SourceProvision string
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	UpdatedBy       string
}

// NeedInput is what a State fills in.
type NeedInput struct {
	Title           string
	Description     string
	Topics          []Topic
	Provisions      []string
	Languages       []string
	Region          string
	Status          Status // "" is open
	Visibility      Visibility
	SourceReport    string
	SourceProvision string
}

// Offer is an offer of support by a State or the secretariat.
type Offer struct {
	ID string
	// Owner is the offering State; "" for the secretariat.
	Owner       string
	Kind        OfferKind
	Title       string
	Description string
	Topics      []Topic
	Provisions  []string
	Languages   []string
	Regions     []string // regional groups served; empty: every group
	Capacity    string   // what it can take on, in words
	From, Until *time.Time
	Status      Status
	Visibility  Visibility
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	UpdatedBy   string
}

// OfferInput is what an offering side fills in.
type OfferInput struct {
	Kind        OfferKind
	Title       string
	Description string
	Topics      []Topic
	Provisions  []string
	Languages   []string
	Regions     []string
	Capacity    string
	From, Until *time.Time // dates; the time of day is ignored
	Status      Status
	Visibility  Visibility
}

// Shared is what a need and an offer have in common.
type Shared struct {
	Provisions []string
	Topics     []Topic
	Languages  []string // primary language subtags
}

// Suggestion is a suggested pairing as one side sees it: the other side's
// item, what they share, and the partnership if one was proposed.
type Suggestion struct {
	Need        Need
	Offer       Offer
	Shared      Shared
	Partnership *Partnership
}

// Side is one party of a partnership.
type Side string

const (
	NeedSide  Side = "need"
	OfferSide Side = "offer"
)

// PartnershipStatus is where a partnership's negotiation stands.
type PartnershipStatus string

const (
	Proposed PartnershipStatus = "proposed"
	Agreed   PartnershipStatus = "agreed"
	Declined PartnershipStatus = "declined"
)

// Label names the status (context "partnership status").
func (s PartnershipStatus) Label() string {
	switch s {
	case Proposed:
		return "Proposed"
	case Agreed:
		return "Agreed"
	case Declined:
		return "Declined"
	}
	return string(s)
}

// Partnership pairs a need and an offer once a side proposes it.
type Partnership struct {
	ID         string
	NeedID     string
	OfferID    string
	NeedState  string
	OfferState string // "" for the secretariat
	NeedTitle  string
	OfferTitle string
	OfferKind  OfferKind
	Topics     []Topic // the need's
	Provisions []string
	Status     PartnershipStatus
	ProposedBy Side
	Note       string
	// NeedPublish and OfferPublish are each side's consent to publish;
	// PublishedAt is set when both have given it.
	NeedPublish  bool
	OfferPublish bool
	PublishedAt  *time.Time
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	UpdatedBy    string
}

// Published reports whether the partnership is on the public list.
func (p Partnership) Published() bool { return p.PublishedAt != nil }

// Filter narrows a list of needs or offers. Empty fields do not filter.
type Filter struct {
	Topic     Topic
	Provision string
	Language  string // a BCP 47 tag; matches by primary subtag
	Region    string // needs in the group; offers serving it
	State     string // the owner: a State's code, or "secretariat" for offers
}
