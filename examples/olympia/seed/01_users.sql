-- 500 users. Everything is computed from the row number, so every seed gives the same rows.
-- Numbers come from a cross join of a ten-row recursive CTE (MySQL 8 caps recursion at 1000 levels).

INSERT INTO users (id, username, display_name, email, biography, homepage, location, is_staff, deleted, last_login, created, modified)
WITH RECURSIVE digit (d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM digit WHERE d < 9),
seq (n) AS (SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d FROM digit a CROSS JOIN digit b CROSS JOIN digit c CROSS JOIN digit e)
SELECT
  n,
  CONCAT('user', n),
  CONCAT(ELT(1 + n % 8, 'Ana', 'Björn', 'Chloé', 'Dmitri', 'Eun-ji', 'Fatima', 'Göran', 'Hiroshi'), ' ', n, IF(n % 97 = 0, ' 🦊', '')),
  CONCAT('user', n, '@example.com'),
  CASE WHEN n % 3 = 0 THEN CONCAT('Writes add-ons since ', 2000 + n % 20, '.\nLikes "quotes", it''s back\\slashes and\ttabs.') END,
  IF(n % 4 = 0, CONCAT('https://example.com/~user', n), ''),
  ELT(1 + n % 5, '', 'Berlin', 'Paris', 'São Paulo', 'Tokyo'),
  n <= 5,
  n % 250 = 0,
  CASE WHEN n % 5 <> 0 THEN TIMESTAMPADD(MICROSECOND, n * 7200000000 + (n * 7919) % 1000000, '2023-06-01 00:00:00') END,
  TIMESTAMPADD(MICROSECOND, n * 3600000000 + (n * 104729) % 1000000, '2020-01-01 00:00:00'),
  TIMESTAMPADD(MICROSECOND, n * 3600000000 + (n * 104729) % 1000000, '2021-01-01 00:00:00')
FROM seq
WHERE n <= 500;
