package sqlite

import (
	"fmt"
	"strings"
)

// IntegrityCheck runs SQLite's integrity check on the writer connection and returns its report, "ok" when the
// database is sound. For tests only.
func IntegrityCheck(db *DB) (string, error) {
	c := <-db.writer
	defer func() { db.writer <- c }()
	if c == nil {
		return "", fmt.Errorf("no writer connection")
	}
	v, err := c.queryValue("PRAGMA integrity_check")
	if err != nil {
		return "", err
	}
	s, _ := v.(string)
	return s, nil
}

// Pragma returns the value of a pragma on the writer connection (when writer is set) or on a reader. For tests
// only.
func Pragma(db *DB, name string, writer bool) (any, error) {
	var c *conn
	var err error
	if writer {
		c = <-db.writer
		defer func() { db.writer <- c }()
	} else {
		if c, err = db.openConn(false); err != nil {
			return nil, err
		}
		defer c.close()
	}
	return c.queryValue("PRAGMA " + name)
}

// SchemaVersions lists the applied migrations as "version:name" joined by commas. For tests only.
func SchemaVersions(db *DB) (string, error) {
	c := <-db.writer
	defer func() { db.writer <- c }()
	v, err := c.queryValue("SELECT group_concat(version || ':' || name, ',') FROM (SELECT * FROM schema_version ORDER BY version)")
	if err != nil {
		return "", err
	}
	s, _ := v.(string)
	return s, nil
}

// Exec runs SQL on the writer connection, outside the store's transactions. For tests only.
func Exec(db *DB, sql string) error {
	c := <-db.writer
	defer func() { db.writer <- c }()
	return c.execScript(sql)
}

// QueryPlans returns SQLite's plan for every prepared statement that reads, by statement. For tests only.
func QueryPlans(db *DB) (map[string]string, error) {
	c := <-db.writer
	defer func() { db.writer <- c }()
	plans := map[string]string{}
	for _, sql := range statements {
		if !strings.HasPrefix(sql, "SELECT") && !strings.HasPrefix(sql, "UPDATE") && !strings.HasPrefix(sql, "DELETE FROM records WHERE") && !strings.HasPrefix(sql, "DELETE FROM indexes\n") {
			continue
		}
		st, err := c.prepareText("EXPLAIN QUERY PLAN " + sql)
		if err != nil {
			return nil, err
		}
		var lines []string
		err = c.rows(st, func() error {
			lines = append(lines, c.text(st, 3))
			return nil
		})
		c.finalize(st)
		if err != nil {
			return nil, err
		}
		plans[sql] = strings.Join(lines, "; ")
	}
	return plans, nil
}
