-- 3000 ratings and reviews, a developer reply to one in ten, and the add-ons' rating summaries.

INSERT INTO reviews (id, addon_id, version_id, user_id, reply_to, rating, body, ip_address, editorreview, deleted, created, modified)
WITH RECURSIVE digit (d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM digit WHERE d < 9),
seq (n) AS (SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d FROM digit a CROSS JOIN digit b CROSS JOIN digit c CROSS JOIN digit e)
SELECT
  n,
  1 + (n * 13) % 1000,
  2 * (1 + (n * 13) % 1000),
  1 + (n * 17) % 500,
  NULL,
  1 + (n * 7 + n DIV 3) % 5,
  CASE n % 4
    WHEN 0 THEN NULL
    WHEN 1 THEN CONCAT('Works great, thanks! (#', n, ')')
    WHEN 2 THEN CONCAT('Stopped working after the update to ', 1 + n % 9, '.0 ', IF(n % 11 = 0, '😡', ':('))
    ELSE CONCAT('It''s fine.\nBut "settings" could be clearer; see C:\\Users\\me\\prefs.js')
  END,
  CONCAT('10.', n % 256, '.', (n DIV 256) % 256, '.1'),
  n % 37 = 0,
  n % 100 = 0,
  TIMESTAMPADD(MICROSECOND, n * 1800000000 + (n * 7919) % 1000000, '2021-06-01 00:00:00'),
  TIMESTAMPADD(MICROSECOND, n * 1800000000 + (n * 7919) % 1000000, '2021-06-01 00:00:00')
FROM seq
WHERE n <= 3000;

INSERT INTO reviews (id, addon_id, version_id, user_id, reply_to, rating, body, ip_address, editorreview, deleted, created, modified)
SELECT
  3000 + r.id DIV 10,
  r.addon_id,
  r.version_id,
  au.user_id,
  r.id,
  NULL,
  CONCAT('Thanks for the feedback! Fixed in the next version (review ', r.id, ').'),
  '127.0.0.1',
  0,
  0,
  TIMESTAMPADD(DAY, 2, r.created),
  TIMESTAMPADD(DAY, 2, r.created)
FROM reviews r
JOIN addons_users au ON au.addon_id = r.addon_id AND au.position = 0
WHERE r.id % 10 = 0;

UPDATE addons a
JOIN (
  SELECT addon_id, AVG(rating) AS average, COUNT(*) AS total
  FROM reviews
  WHERE deleted = 0 AND reply_to IS NULL AND rating IS NOT NULL
  GROUP BY addon_id
) r ON r.addon_id = a.id
SET a.average_rating = r.average,
    a.total_ratings = r.total,
    a.bayesian_rating = (r.average * r.total + 3 * 5) / (r.total + 5);
