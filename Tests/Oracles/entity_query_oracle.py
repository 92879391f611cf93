"""DuckDB answers the entity store's queries: stdin is JSON {"records": [...], "queries":
[{"where": SQL, "order": SQL, "limit": n}]}; stdout is JSON, the keys each query returns,
in order."""
import json
import sys

import duckdb


def main():
    spec = json.load(sys.stdin)
    con = duckdb.connect()
    con.execute("CREATE TABLE r (key VARCHAR, name VARCHAR, score BIGINT, weight DOUBLE, flag BOOLEAN, tag VARCHAR)")
    con.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?, ?)",
                    [[r["key"], r["name"], r.get("score"), r.get("weight"), r.get("flag"), r.get("tag")] for r in spec["records"]])
    out = []
    for q in spec["queries"]:
        sql = "SELECT key FROM r"
        if q.get("where"):
            sql += f" WHERE {q['where']}"
        sql += " ORDER BY " + ", ".join(([q["order"]] if q.get("order") else []) + ["key"])
        if q.get("limit") is not None:
            sql += f" LIMIT {q['limit']}"
        out.append([row[0] for row in con.execute(sql).fetchall()])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
