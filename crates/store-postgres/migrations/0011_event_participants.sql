-- 地域づくり: how many residents took part in an event (参加者数), when counted.
ALTER TABLE events ADD COLUMN participants BIGINT;
