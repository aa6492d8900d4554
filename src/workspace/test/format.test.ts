import { describe, expect, it } from 'vitest';
import { ApiError, buildUrl } from '../src/api/http';
import { formatDuration, formatRate } from '../src/shared/format';

describe('format', () => {
  it('formats durations as mm:ss and h:mm:ss', () => {
    expect(formatDuration(75)).toBe('01:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(-3)).toBe('00:00');
  });
  it('formats rates with one decimal and a dash for no data', () => {
    expect(formatRate(0.9234)).toBe('92.3%');
    expect(formatRate(null)).toBe('—');
  });
});

describe('api client', () => {
  it('keeps each field issue for the form to show beside its field', () => {
    const err = new ApiError(400, 'VALIDATION_FAILED', 'invalid', [
      { path: 'address', message: '地址不能为空' },
      { path: 'category.id', message: '请选择类别' },
    ]);
    expect(err.fieldMessages('address')).toEqual(['地址不能为空']);
    expect(err.fieldMessages('category')).toEqual(['请选择类别']);
    expect(err.fieldMessages('content')).toEqual([]);
  });
  it('drops empty query values from the URL', () => {
    expect(buildUrl('/tickets', { phone: '13800138000', code: '', unit: undefined, page: 2 })).toBe('/api/v1/tickets?phone=13800138000&page=2');
  });
});
