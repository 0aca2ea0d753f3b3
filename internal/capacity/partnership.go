package capacity

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// A partnership starts when either side of a suggestion proposes it; the
// other side accepts or declines; once agreed, each side may consent to
// publish it, and it is published when both have. Until then only the two
// sides' accounts read it: anyone else, the secretariat included when it
// is not a side, gets "not found".

// sideOf is the side code speaks for in p, or "".
func sideOf(p Partnership, code string, ok bool) Side {
	switch {
	case !ok:
		return ""
	case code != "" && code == p.NeedState:
		return NeedSide
	case code == p.OfferState:
		return OfferSide
	}
	return ""
}

// Partnership returns partnership id: to its two sides, and to anyone
// once published.
func (s *Service) Partnership(ctx context.Context, a actor.Actor, id string) (Partnership, error) {
	p, _, err := s.partnership(ctx, a, id)
	return p, err
}

// partnership loads id with the side a reads it for ("" when published
// and a is no side).
func (s *Service) partnership(ctx context.Context, a actor.Actor, id string) (Partnership, Side, error) {
	notFound := errs.E(errs.NotFound, msgPartnerNotFound)
	if uuid.Validate(id) != nil {
		return Partnership{}, "", notFound
	}
	p, err := selectPartnership(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Partnership{}, "", notFound
	}
	if err != nil {
		return Partnership{}, "", errs.Internalf(err, "load partnership")
	}
	code, ok, err := s.side(ctx, a)
	if err != nil {
		return Partnership{}, "", err
	}
	side := sideOf(p, code, ok)
	if side == "" && !p.Published() {
		return Partnership{}, "", notFound
	}
	return p, side, nil
}

// party is the side a acts for in partnerships.
func (s *Service) party(ctx context.Context, a actor.Actor) (string, error) {
	code, ok, err := s.writer(ctx, a)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errs.E(errs.Forbidden, msgNotSide)
	}
	return code, nil
}

// CanPropose reports why a may not propose a partnership from sg, or nil.
func (s *Service) CanPropose(ctx context.Context, a actor.Actor, sg Suggestion) error {
	code, err := s.party(ctx, a)
	if err != nil {
		return err
	}
	if (code == "" || code != sg.Need.State) && code != sg.Offer.Owner {
		return errs.E(errs.Forbidden, msgNotSide)
	}
	if sg.Partnership != nil && sg.Partnership.Status != Declined {
		return errs.E(errs.Conflict, msgAlreadyProposed)
	}
	return nil
}

// CanAnswer reports why a may not accept or decline p, or nil.
func (s *Service) CanAnswer(ctx context.Context, a actor.Actor, p Partnership) error {
	code, err := s.party(ctx, a)
	if err != nil {
		return err
	}
	side := sideOf(p, code, true)
	switch {
	case side == "":
		return errs.E(errs.Forbidden, msgNotSide)
	case p.Status != Proposed:
		return errs.E(errs.Conflict, msgNotProposed)
	case side == p.ProposedBy:
		return errs.E(errs.Forbidden, msgOwnProposal)
	}
	return nil
}

// CanPublish reports why a may not consent to publish p, or nil.
func (s *Service) CanPublish(ctx context.Context, a actor.Actor, p Partnership) error {
	code, err := s.party(ctx, a)
	if err != nil {
		return err
	}
	side := sideOf(p, code, true)
	switch {
	case side == "":
		return errs.E(errs.Forbidden, msgNotSide)
	case p.Status != Agreed:
		return errs.E(errs.Conflict, msgNotAgreed)
	case side == NeedSide && p.NeedPublish, side == OfferSide && p.OfferPublish:
		return errs.E(errs.Conflict, msgAlreadyConsent)
	}
	return nil
}

// Propose proposes a partnership between need and offer, which must be
// suggested to each other, for a's side. A declined one may be proposed
// again.
func (s *Service) Propose(ctx context.Context, a actor.Actor, needID, offerID, note string) (Partnership, error) {
	code, err := s.party(ctx, a)
	if err != nil {
		return Partnership{}, err
	}
	// Each item as a reads it: an item a may not read is not found.
	n, err := s.Need(ctx, a, needID)
	if err != nil {
		return Partnership{}, err
	}
	o, err := s.Offer(ctx, a, offerID)
	if err != nil {
		return Partnership{}, err
	}
	var side Side
	switch {
	case code != "" && code == n.State:
		side = NeedSide
	case code == o.Owner:
		side = OfferSide
	default:
		return Partnership{}, errs.E(errs.Forbidden, msgNotSide)
	}
	var f errs.Fields
	note = text(&f, "note", note, maxNote)
	if err := f.Err(); err != nil {
		return Partnership{}, err
	}
	now := s.clock.Now().UTC()
	var p Partnership
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		suggested, err := matchExists(ctx, tx, n.ID, o.ID)
		if err != nil {
			return errs.Internalf(err, "load suggestion")
		}
		if !suggested {
			return errs.E(errs.Conflict, msgNotSuggested)
		}
		old, err := partnershipOfPair(ctx, tx, n.ID, o.ID)
		switch {
		case store.NoRows(err):
			p = Partnership{ID: newID(), NeedID: n.ID, OfferID: o.ID, NeedState: n.State, OfferState: o.Owner, Status: Proposed,
				ProposedBy: side, Note: note, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
			if err := insertPartnership(ctx, tx, p); err != nil {
				return errs.Internalf(err, "insert partnership")
			}
		case err != nil:
			return errs.Internalf(err, "load partnership")
		case old.Status != Declined:
			return errs.E(errs.Conflict, msgAlreadyProposed)
		default:
			p = old
			p.Status, p.ProposedBy, p.Note, p.NeedPublish, p.OfferPublish = Proposed, side, note, false, false
			p.Version++
			p.UpdatedAt, p.UpdatedBy = now, a.Label()
			if err := s.savePartnership(ctx, tx, p); err != nil {
				return err
			}
		}
		return s.partnershipWritten(ctx, tx, a, p, "propose", side)
	})
	if err != nil {
		return Partnership{}, err
	}
	return s.Partnership(ctx, a, p.ID)
}

func (s *Service) savePartnership(ctx context.Context, tx *sql.Tx, p Partnership) error {
	changed, err := updatePartnership(ctx, tx, p)
	if err != nil {
		return errs.Internalf(err, "update partnership")
	}
	if !changed {
		return errs.E(errs.Conflict, msgConflict)
	}
	return nil
}

func (s *Service) partnershipWritten(ctx context.Context, tx *sql.Tx, a actor.Actor, p Partnership, action string, side Side) error {
	state := p.NeedState
	if side == OfferSide {
		state = p.OfferState
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "capacity." + action, ObjectType: "capacity_partnership", ObjectID: p.ID, State: state,
		Details: map[string]any{"need": p.NeedID, "offer": p.OfferID, "side": side, "status": p.Status, "version": p.Version,
			"published": p.Published()}})
}

// Accept agrees the partnership id proposed by the other side; its need
// is then in partnership.
func (s *Service) Accept(ctx context.Context, a actor.Actor, id string, version int) (Partnership, error) {
	return s.answer(ctx, a, id, version, Agreed)
}

// Decline refuses the partnership id proposed by the other side.
func (s *Service) Decline(ctx context.Context, a actor.Actor, id string, version int) (Partnership, error) {
	return s.answer(ctx, a, id, version, Declined)
}

func (s *Service) answer(ctx context.Context, a actor.Actor, id string, version int, to PartnershipStatus) (Partnership, error) {
	if err := a.RequireWrite(); err != nil {
		return Partnership{}, err
	}
	p, side, err := s.partnership(ctx, a, id)
	if err != nil {
		return Partnership{}, err
	}
	if err := s.CanAnswer(ctx, a, p); err != nil {
		return Partnership{}, err
	}
	if version != p.Version {
		return Partnership{}, errs.E(errs.Conflict, msgConflict)
	}
	now := s.clock.Now().UTC()
	p.Status = to
	p.Version++
	p.UpdatedAt, p.UpdatedBy = now, a.Label()
	action := "accept"
	if to == Declined {
		action = "decline"
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.savePartnership(ctx, tx, p); err != nil {
			return err
		}
		if to == Agreed {
			if err := markPartnered(ctx, tx, p.NeedID); err != nil {
				return errs.Internalf(err, "mark need in partnership")
			}
		}
		return s.partnershipWritten(ctx, tx, a, p, action, side)
	})
	if err != nil {
		return Partnership{}, err
	}
	return s.Partnership(ctx, a, p.ID)
}

// Publish records a's side's consent to publish the agreed partnership
// id; when the other side has consented too, it is published.
func (s *Service) Publish(ctx context.Context, a actor.Actor, id string, version int) (Partnership, error) {
	if err := a.RequireWrite(); err != nil {
		return Partnership{}, err
	}
	p, side, err := s.partnership(ctx, a, id)
	if err != nil {
		return Partnership{}, err
	}
	if err := s.CanPublish(ctx, a, p); err != nil {
		return Partnership{}, err
	}
	if version != p.Version {
		return Partnership{}, errs.E(errs.Conflict, msgConflict)
	}
	now := s.clock.Now().UTC()
	if side == NeedSide {
		p.NeedPublish = true
	} else {
		p.OfferPublish = true
	}
	if p.NeedPublish && p.OfferPublish {
		p.PublishedAt = &now
	}
	p.Version++
	p.UpdatedAt, p.UpdatedBy = now, a.Label()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.savePartnership(ctx, tx, p); err != nil {
			return err
		}
		return s.partnershipWritten(ctx, tx, a, p, "publish", side)
	})
	if err != nil {
		return Partnership{}, err
	}
	return s.Partnership(ctx, a, p.ID)
}
