-- Capacity-building needs and offers (CBM 5): a State's needs, the offers
-- of States and of the secretariat, the suggestions that pair them (kept
-- when either side is saved, never computed per request), and the
-- partnerships the two sides agree and may publish. capacity_tags holds
-- each need's and offer's topics, provisions, languages and regions one
-- per row, so that lists filter and suggestions find their candidates by
-- index.
CREATE TABLE capacity_needs (
	id TEXT PRIMARY KEY,
	state_code TEXT NOT NULL REFERENCES states(code),
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	topics TEXT NOT NULL,               -- JSON array of topic codes
	provisions TEXT NOT NULL,           -- JSON array of catalogue provision ids
	languages TEXT NOT NULL,            -- JSON array of BCP 47 tags
	region TEXT NOT NULL,               -- a UN regional group
	status TEXT NOT NULL,               -- open | partnered | closed
	visibility TEXT NOT NULL,           -- private | participants | public
	source_report TEXT NOT NULL,        -- free reference to a national survey report; '' none
	source_provision TEXT NOT NULL,     -- the report's provision the gap was written under; '' none
	version INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL
);
CREATE INDEX capacity_needs_created ON capacity_needs(created_at, id);
CREATE INDEX capacity_needs_state ON capacity_needs(state_code, created_at, id);

CREATE TABLE capacity_offers (
	id TEXT PRIMARY KEY,
	owner_state TEXT NOT NULL,          -- '' when the secretariat offers
	kind TEXT NOT NULL,                 -- training | technical_assistance | expert_exchange | funding | other
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	topics TEXT NOT NULL,
	provisions TEXT NOT NULL,
	languages TEXT NOT NULL,
	regions TEXT NOT NULL,              -- JSON array of regional groups served; empty: every group
	capacity TEXT NOT NULL,             -- what it can take on, in words
	available_from TIMESTAMP,
	available_until TIMESTAMP,
	status TEXT NOT NULL,               -- open | closed
	visibility TEXT NOT NULL,
	version INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL
);
CREATE INDEX capacity_offers_created ON capacity_offers(created_at, id);
CREATE INDEX capacity_offers_owner ON capacity_offers(owner_state, created_at, id);

CREATE TABLE capacity_tags (
	kind TEXT NOT NULL,                 -- need | offer
	item_id TEXT NOT NULL,
	facet TEXT NOT NULL,                -- topic | provision | language | region
	value TEXT NOT NULL,                -- a language by its primary subtag; an offer serving every group: '*'
	PRIMARY KEY (kind, facet, value, item_id)
);
CREATE INDEX capacity_tags_item ON capacity_tags(item_id);

CREATE TABLE capacity_matches (
	need_id TEXT NOT NULL REFERENCES capacity_needs(id),
	offer_id TEXT NOT NULL REFERENCES capacity_offers(id),
	need_state TEXT NOT NULL,
	offer_state TEXT NOT NULL,          -- '' for the secretariat's offers
	score INTEGER NOT NULL,             -- orders suggestions only; never shown
	shared TEXT NOT NULL,               -- JSON: the provisions, topics and languages both name
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (need_id, offer_id)
);
CREATE INDEX capacity_matches_need ON capacity_matches(need_id, score, offer_id);
CREATE INDEX capacity_matches_offer ON capacity_matches(offer_id, score, need_id);

CREATE TABLE capacity_partnerships (
	id TEXT PRIMARY KEY,
	need_id TEXT NOT NULL REFERENCES capacity_needs(id),
	offer_id TEXT NOT NULL REFERENCES capacity_offers(id),
	need_state TEXT NOT NULL,
	offer_state TEXT NOT NULL,
	status TEXT NOT NULL,               -- proposed | agreed | declined
	proposed_by TEXT NOT NULL,          -- need | offer: the side that proposed
	note TEXT NOT NULL,
	need_publish INTEGER NOT NULL DEFAULT 0,
	offer_publish INTEGER NOT NULL DEFAULT 0,
	published_at TIMESTAMP,             -- set once both sides agree to publish
	version INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL,
	UNIQUE (need_id, offer_id)
);
CREATE INDEX capacity_partnerships_published ON capacity_partnerships(published_at, id);
CREATE INDEX capacity_partnerships_need_state ON capacity_partnerships(need_state, updated_at, id);
CREATE INDEX capacity_partnerships_offer_state ON capacity_partnerships(offer_state, updated_at, id);
CREATE INDEX capacity_partnerships_offer ON capacity_partnerships(offer_id);
