package sqlite

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema change: migrations/NNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the embedded migrations in version order. Versions start at 1 and have no gaps, so a
// database's version says exactly which have been applied.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		version, label, err := parseMigrationName(path.Base(name))
		if err != nil {
			return nil, err
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: label, sql: string(b)})
	}
	// fs.Glob returns names sorted, and NNN is zero-padded, so ms is in version order if it has no gaps.
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlite: migration %03d_%s: want version %d (versions start at 1 without gaps)",
				m.version, m.name, i+1)
		}
	}
	return ms, nil
}

// parseMigrationName splits "NNN_name.sql" into its version and name.
func parseMigrationName(base string) (int, string, error) {
	stem, ok := strings.CutSuffix(base, ".sql")
	num, label, ok2 := strings.Cut(stem, "_")
	if !ok || !ok2 || len(num) != 3 || label == "" {
		return 0, "", fmt.Errorf("sqlite: migration file %q: want NNN_name.sql", base)
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return 0, "", fmt.Errorf("sqlite: migration file %q: want NNN_name.sql", base)
		}
	}
	v, err := strconv.Atoi(num)
	if err != nil || v == 0 {
		return 0, "", fmt.Errorf("sqlite: migration file %q: the version must be 001 or more", base)
	}
	return v, label, nil
}

// migrate brings the schema up to date in one write transaction. Running it again changes nothing; a database
// written by a newer sagebox, with migrations this one does not know, is refused rather than misread.
func migrate(c *conn, ms []migration) (err error) {
	if err := c.execScript(`BEGIN IMMEDIATE`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer func() {
		if err != nil {
			_ = c.execScript(`ROLLBACK`)
		}
	}()
	if err := c.execScript(`CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER NOT NULL PRIMARY KEY,
		name TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	v, err := c.queryValue(`SELECT coalesce(max(version), 0) FROM schema_version`)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	current, ok := v.(int64)
	if !ok {
		return fmt.Errorf("sqlite: migrate: schema_version holds %v", v)
	}
	if current > int64(len(ms)) {
		return fmt.Errorf("sqlite: the database has schema version %d, newer than this sagebox knows (%d)", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := c.execScript(m.sql); err != nil {
			return fmt.Errorf("sqlite: migration %03d_%s: %w", m.version, m.name, err)
		}
		if _, err := c.queryValue(`INSERT INTO schema_version (version, name) VALUES (?, ?)`,
			integer(int64(m.version)), text(m.name)); err != nil {
			return fmt.Errorf("sqlite: migration %03d_%s: %w", m.version, m.name, err)
		}
	}
	if err := c.execScript(`COMMIT`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}
