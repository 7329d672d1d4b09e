-- Records are the stored documents. indexes holds the record's Index list, encoded (see encodeIndexes), so that a
-- read returns a whole record from one row and a write knows which index entries to replace.
CREATE TABLE records (
	account TEXT NOT NULL,
	region TEXT NOT NULL,
	kind TEXT NOT NULL,
	id TEXT NOT NULL,
	doc BLOB NOT NULL,
	version INTEGER NOT NULL,
	indexes BLOB NOT NULL,
	PRIMARY KEY (account, region, kind, id)
);

-- One row per (record, index name, value). The primary key serves Find; the partial unique index enforces and
-- serves the unique ones. WITHOUT ROWID (SQLite's only departure from plain SQL here; PostgreSQL drops it, and
-- spells BLOB as BYTEA) stores the rows in the primary key's b-tree, so that Lookup finds the record's id in the
-- unique index without another search.
CREATE TABLE indexes (
	account TEXT NOT NULL,
	region TEXT NOT NULL,
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	value TEXT NOT NULL,
	id TEXT NOT NULL,
	uniq INTEGER NOT NULL,
	PRIMARY KEY (account, region, kind, name, value, id)
) WITHOUT ROWID;

CREATE UNIQUE INDEX indexes_unique ON indexes (account, region, kind, name, value) WHERE uniq = 1;
