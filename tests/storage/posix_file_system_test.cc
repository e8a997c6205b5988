// The real file system behind the interface: operations and error messages.
#include <gtest/gtest.h>

#include "storage/file_system.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

TEST(PosixFileSystemTest, BasicOperations) {
  testing::TempDirectory temp;
  PosixFileSystem fs;
  std::string dir = temp.path() + "/a/b";
  ASSERT_TRUE(fs.create_directories(dir).ok());
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(fs.open_for_append(dir + "/f", 0, file).ok());
  ASSERT_TRUE(file->preallocate(4096).ok());
  ASSERT_TRUE(file->append("hello").ok());
  ASSERT_TRUE(file->append(" world").ok());
  EXPECT_EQ(file->position(), 11u);
  ASSERT_TRUE(file->sync_data().ok());
  ASSERT_TRUE(fs.sync_directory(dir).ok());
  uint64_t size = 0;
  ASSERT_TRUE(fs.file_size(dir + "/f", size).ok());
  EXPECT_EQ(size, 4096u);
  std::string contents;
  ASSERT_TRUE(fs.read_file(dir + "/f", contents).ok());
  EXPECT_EQ(contents.substr(0, 12), std::string("hello world\0", 12));
  ASSERT_TRUE(fs.truncate(dir + "/f", 5).ok());
  ASSERT_TRUE(fs.read_file(dir + "/f", contents).ok());
  EXPECT_EQ(contents, "hello");
  // Reopening at a position writes there.
  ASSERT_TRUE(fs.open_for_append(dir + "/f", 2, file).ok());
  ASSERT_TRUE(file->append("LL").ok());
  ASSERT_TRUE(fs.read_file(dir + "/f", contents).ok());
  EXPECT_EQ(contents, "heLLo");
  ASSERT_TRUE(fs.rename(dir + "/f", dir + "/g").ok());
  std::vector<std::string> names;
  ASSERT_TRUE(fs.list_directory(dir, names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"g"});
  ASSERT_TRUE(fs.remove(dir + "/g").ok());
  ASSERT_TRUE(fs.list_directory(dir, names).ok());
  EXPECT_TRUE(names.empty());
}

TEST(PosixFileSystemTest, ErrorsNameTheOperationThePathAndTheCause) {
  testing::TempDirectory temp;
  PosixFileSystem fs;
  std::string missing = temp.path() + "/missing";
  std::string contents;
  Status status = fs.read_file(missing, contents);
  EXPECT_EQ(status.message(), "open " + missing + ": No such file or directory");
  EXPECT_EQ(fs.remove(missing).message(), "unlink " + missing + ": No such file or directory");
  std::vector<std::string> names;
  EXPECT_FALSE(fs.list_directory(missing, names).ok());
  std::unique_ptr<WritableFile> file;
  EXPECT_FALSE(fs.open_for_append(missing + "/x", 0, file).ok());
}

}  // namespace
}  // namespace synod::storage
