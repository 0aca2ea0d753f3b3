-- TAXII 2.1 collections of STIX objects (package taxii).
--
-- A collection has an owner (a State, or '' for the secretariat) and a
-- TLP label that decides, through the disclosure policy, who reads it;
-- kind decides who writes: 'public' the secretariat, 'shared' the
-- participating States' accounts, 'state' the owner's accounts. The two
-- installation-wide collections are made here; a State's own collection
-- is made when first written to, under an id derived from its code.
CREATE TABLE taxii_collections (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('public', 'shared', 'state')),
	owner_state TEXT NOT NULL,          -- '' for the secretariat
	tlp TEXT NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	-- The date_added (microseconds since 1970) of the last object added:
	-- every write to the collection updates this row first, which orders
	-- concurrent writers, so date_added only ever grows.
	last_added BIGINT NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX taxii_collections_state ON taxii_collections(owner_state) WHERE kind = 'state';

-- One row per version of an object in a collection, with its exact bytes.
-- date_added is unique and strictly increasing per collection, so paging
-- by it (added_after, next) never skips or repeats an object. version is
-- modified, else created, else date_added, written sortably
-- (stix.SortableTime).
CREATE TABLE taxii_objects (
	collection_id TEXT NOT NULL REFERENCES taxii_collections(id),
	date_added BIGINT NOT NULL,
	object_id TEXT NOT NULL,
	version TEXT NOT NULL,
	type TEXT NOT NULL,
	spec_version TEXT NOT NULL,
	account_id TEXT NOT NULL,          -- who added it
	body BYTEA NOT NULL,               -- last, so the manifest does not read it
	PRIMARY KEY (collection_id, date_added),
	UNIQUE (collection_id, object_id, version)
);
CREATE INDEX taxii_objects_type ON taxii_objects(collection_id, type, date_added);

-- The status of each POST: counts, and per object its id, version and
-- what went wrong (a JSON list), for GET status/{id}/.
CREATE TABLE taxii_statuses (
	id TEXT PRIMARY KEY,
	collection_id TEXT NOT NULL REFERENCES taxii_collections(id),
	account_id TEXT NOT NULL,
	requested_at TIMESTAMPTZ NOT NULL,
	total INTEGER NOT NULL,
	successes INTEGER NOT NULL,
	failures INTEGER NOT NULL,
	pendings INTEGER NOT NULL,
	details TEXT NOT NULL
);

INSERT INTO taxii_collections (id, kind, owner_state, tlp, title, description, created_at) VALUES
	('f9ffc677-c3f2-4efc-96b4-973f97aeef95', 'public', '', 'clear', 'Public (TLP:CLEAR)',
	 'Published by the secretariat; every account reads it.', CURRENT_TIMESTAMP),
	('8f16f5c9-72ae-422e-acb8-f9574e106212', 'shared', '', 'green', 'Shared among States (TLP:GREEN)',
	 'Every participating State writes; every State account reads.', CURRENT_TIMESTAMP);
