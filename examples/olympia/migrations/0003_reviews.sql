-- Ratings and reviews; a developer reply points at the review it answers.

CREATE TABLE reviews (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  addon_id INT UNSIGNED NOT NULL,
  version_id INT UNSIGNED NULL,
  user_id INT UNSIGNED NOT NULL,
  reply_to INT UNSIGNED NULL,
  rating TINYINT UNSIGNED NULL,
  body LONGTEXT NULL,
  ip_address VARCHAR(45) NOT NULL DEFAULT '0.0.0.0',
  editorreview TINYINT(1) NOT NULL DEFAULT 0,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  created DATETIME(6) NOT NULL,
  modified DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY reviews_reply_to (reply_to),
  KEY reviews_addon_created (addon_id, created),
  KEY reviews_user (user_id),
  CONSTRAINT reviews_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id) ON DELETE CASCADE,
  CONSTRAINT reviews_version_fk FOREIGN KEY (version_id) REFERENCES versions (id) ON DELETE SET NULL,
  CONSTRAINT reviews_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT reviews_reply_to_fk FOREIGN KEY (reply_to) REFERENCES reviews (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
